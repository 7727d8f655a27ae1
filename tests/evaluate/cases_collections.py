"""Cases: repeat, map_merge, map_replace, list_concat, filter, contains, yaql."""

from snippets import HOT, LATEST, NO_ATTR, Case, E, H, HeatError, U, each

CASES: list[Case] = [
    # --- repeat: Repeat (2015-04-30), RepeatWithMap (2016-10-14), RepeatWithNestedLoop ----
    *each(
        HOT[2:],
        lambda v: Case(
            f"repeat_{v}",
            v,
            "{repeat: {for_each: {'%p%': [80, 443]}, template: 'port %p%'}}",
            E("EVL001", "replace() argument 2 must be str, not int"),
        ),
    ),
    *each(
        HOT[2:],
        lambda v: Case(
            f"repeat_strings_{v}",
            v,
            "{repeat: {for_each: {'%p%': ['80', '443']}, template: {port: '%p%'}}}",
            [{"port": "80"}, {"port": "443"}],
        ),
    ),
    Case(
        "repeat_product",
        LATEST,
        "{repeat: {for_each: {'<a>': [x, y], '<b>': ['1', '2']}, template: '<a><b>'}}",
        ["x1", "x2", "y1", "y2"],
    ),
    Case(
        "repeat_permutations_false",
        "2017-09-01",
        "{repeat: {for_each: {'<a>': [x, y], '<b>': ['1', '2']}, template: '<a><b>', "
        "permutations: false}}",
        ["x1", "y2"],
    ),
    Case(
        "repeat_permutations_ignored_before_2017",
        "2016-10-14",
        "{repeat: {for_each: {'<a>': [x, y], '<b>': ['1', '2']}, template: '<a><b>', "
        "permutations: false}}",
        ["x1", "x2", "y1", "y2"],
    ),
    Case(
        "repeat_permutations_false_unequal",
        LATEST,
        "{repeat: {for_each: {'<a>': [x, y], '<b>': ['1']}, template: '<a><b>', "
        "permutations: false}}",
        E("EVL001", "the length of for_each values should be equal if no nested loop"),
    ),
    Case(
        "repeat_map_keys_2016_10_14",
        "2016-10-14",
        "{repeat: {for_each: {'<k>': {a: 1, b: 2}}, template: 'k=<k>'}}",
        ["k=a", "k=b"],
    ),
    Case(
        "repeat_map_rejected_2016_04_08",
        "2016-04-08",
        "{repeat: {for_each: {'<k>': {a: 1}}, template: '<k>'}}",
        E("EVL001", 'The values of the "for_each" argument to "repeat" must be lists'),
    ),
    Case(
        "repeat_map_with_permutations_false",
        LATEST,
        "{repeat: {for_each: {'<k>': {a: 1}}, template: '<k>', permutations: false}}",
        E("EVL001", "must be lists"),
    ),
    Case(
        "repeat_resolves_functions_first",
        LATEST,
        "{repeat: {for_each: {'%x%': [a, b]}, template: {list_join: ['-', ['%x%', z]]}}}",
        ["a-z", "b-z"],
    ),
    Case(
        "repeat_make_url_sees_placeholder",
        LATEST,
        "{repeat: {for_each: {'<p>': [a]}, template: {make_url: {path: '/<p>'}}}}",
        ["/%3Cp%3E"],
    ),
    Case(
        "repeat_placeholder_in_key",
        LATEST,
        "{repeat: {for_each: {'<n>': [one, two]}, template: {'<n>_key': '<n>'}}}",
        [{"one_key": "one"}, {"two_key": "two"}],
    ),
    Case(
        "repeat_over_param",
        LATEST,
        "{repeat: {for_each: {'%h%': {get_param: ports}}, template: 'h:%h%'}}",
        ["h:22", "h:80", "h:443"],
    ),
    Case("repeat_null_list", LATEST, "{repeat: {for_each: {'%h%': null}, template: 'h:%h%'}}", []),
    Case(
        "repeat_for_each_not_a_map",
        LATEST,
        "{repeat: {for_each: {get_param: l}, template: x}}",
        E("EVL001", "'list' object has no attribute 'items'"),
    ),
    Case(
        "repeat_for_each_string",
        LATEST,
        "{repeat: {for_each: {'%h%': abc}, template: x}}",
        E("EVL001", "must be lists or maps"),
    ),
    Case(
        "repeat_int_template", LATEST, "{repeat: {for_each: {'%h%': [1, 2]}, template: 5}}", [5, 5]
    ),
    # --- map_merge (2016-04-08) ---------------------------------------------------------------
    *each(
        HOT[4:],
        lambda v: Case(
            f"map_merge_{v}",
            v,
            "{map_merge: [{a: 1, b: 2}, {b: 3}, null, {c: 4}]}",
            {"a": 1, "b": 3, "c": 4},
        ),
    ),
    Case(
        "map_merge_list_item",
        LATEST,
        "{map_merge: [{a: 1}, [b]]}",
        E("EVL001", "Items to merge must be maps. ['b'] is type <class 'list'> instead of"),
    ),
    Case(
        "map_merge_path_miss_string",
        LATEST,
        "{map_merge: [{a: 1}, {get_param: [j, nope]}]}",
        E("EVL001", "Items to merge must be maps. '' is type <class 'str'>"),
    ),
    Case(
        "map_merge_param",
        LATEST,
        "{map_merge: [{get_param: j}, {k: w}]}",
        {"a": {"b": [1, 2]}, "k": "w"},
    ),
    Case(
        "map_merge_not_a_list",
        LATEST,
        "{map_merge: {get_param: j}}",
        E("EVL001", 'Incorrect arguments to "map_merge" should be'),
    ),
    # --- map_replace (2016-10-14) -------------------------------------------------------------
    Case(
        "map_replace",
        "2016-10-14",
        "{map_replace: [{k1: v1, k2: v2}, {keys: {k1: K1}, values: {v2: V2}}]}",
        {"K1": "v1", "k2": "V2"},
    ),
    Case(
        "map_replace_input_collision",
        LATEST,
        "{map_replace: [{a: 1, b: 2}, {keys: {a: b}}]}",
        E("EVL001", "key replacement b collides with a key in the input map"),
    ),
    Case(
        "map_replace_output_collision",
        LATEST,
        "{map_replace: [{a: 1, b: 2}, {keys: {a: c, b: c}}]}",
        E("EVL001", "key replacement c collides with a key in the output map"),
    ),
    Case(
        "map_replace_unhashable_value_kept",
        LATEST,
        "{map_replace: [{a: [1]}, {values: {x: y}}]}",
        {"a": [1]},
    ),
    Case(
        "map_replace_not_maps",
        LATEST,
        "{map_replace: [[a], {keys: {}}]}",
        E("EVL001", "arguments must be a list of maps"),
    ),
    Case("map_replace_null_map", LATEST, "{map_replace: [null, {keys: {a: b}}]}", {}),
    # --- list_concat, list_concat_unique (2017-09-01) -------------------------------------------
    Case("list_concat", "2017-09-01", "{list_concat: [[a, b], null, [c], []]}", ["a", "b", "c"]),
    Case(
        "list_concat_not_a_list",
        LATEST,
        "{list_concat: [[a], b]}",
        E("EVL001", "Items to concat must be lists"),
    ),
    Case(
        "list_concat_unique",
        LATEST,
        "{list_concat_unique: [[a, 1], [1.0, true, a, b]]}",
        ["a", 1, "b"],
    ),
    Case(
        "list_concat_not_list_args",
        LATEST,
        "{list_concat: {get_param: j}}",
        E("EVL001", 'Incorrect arguments to "list_concat" should be'),
    ),
    # --- filter (2017-02-24) --------------------------------------------------------------------
    Case("filter", "2017-02-24", "{filter: [[b, null], [a, b, null, c]]}", ["a", "c"]),
    Case("filter_empty_sequence", LATEST, "{filter: [[a], []]}", []),
    Case("filter_null_values", LATEST, "{filter: [null, [a]]}", ["a"]),
    Case(
        "filter_not_a_list",
        LATEST,
        "{filter: [[a], {get_param: j}]}",
        E("EVL001", '"filter" only works with lists'),
    ),
    Case(
        "filter_values_not_a_list",
        LATEST,
        "{filter: [a, [a, b]]}",
        E("EVL001", '"filter" filters a list of values'),
    ),
    Case("filter_param", LATEST, "{filter: [['80'], {get_param: ports}]}", ["22", "443"]),
    # --- contains (2017-09-01) ------------------------------------------------------------------
    Case("contains_list", "2017-09-01", "{contains: [b, [a, b]]}", True),
    Case("contains_number_in_cdl", LATEST, "{contains: [443, {get_param: ports}]}", False),
    Case("contains_string_in_cdl", LATEST, "{contains: ['443', {get_param: ports}]}", True),
    Case("contains_substring", LATEST, "{contains: [ell, {get_param: s}]}", True),
    Case(
        "contains_number_in_string",
        LATEST,
        "{contains: [1, abc]}",
        E("EVL001", "'in <string>' requires string as left operand, not int"),
    ),
    Case(
        "contains_map",
        LATEST,
        "{contains: [a, {get_param: j}]}",
        E("EVL001", 'Second argument to "contains" should be a sequence.'),
    ),
    Case("contains_one_equals_true", LATEST, "{contains: [1, [true]]}", True),
    # --- yaql (2016-10-14; surprise 12) ---------------------------------------------------------
    Case(
        "yaql_sum", "2016-10-14", "{yaql: {expression: '$.data.a.sum()', data: {a: [1, 2, 3]}}}", 6
    ),
    Case("yaql_integer_division", LATEST, "{yaql: {expression: '5 / 2'}}", 2),
    Case("yaql_sum_of_strings", LATEST, "{yaql: {expression: '$.data.sum()', data: [a, b]}}", "ab"),
    Case("yaql_false_or_empty", LATEST, "{yaql: {expression: \"false or ''\"}}", ""),
    Case(
        "yaql_keys_set",
        LATEST,
        "{yaql: {expression: '$.data.keys()', data: {b: 1, a: 2}}}",
        ["a", "b"],
    ),
    Case(
        "yaql_select",
        LATEST,
        "{yaql: {expression: '$.data.select(int($) + 1000)', data: {get_param: ports}}}",
        [1022, 1080, 1443],
    ),
    Case(
        "yaql_bad_expression",
        LATEST,
        "{yaql: {expression: '$.data.'}}",
        E("EVL004", "Bad expression"),
    ),
    Case(
        "yaql_runtime_error",
        LATEST,
        "{yaql: {expression: 'int($.data)', data: abc}}",
        E("EVL004", "invalid literal for int()"),
    ),
    Case(
        "yaql_unknown_data",
        LATEST,
        "{yaql: {expression: '$.data.len()', data: {get_attr: [srv, name]}}}",
        U("any"),
        heat=H(
            HeatError('No method "len" for receiver None'), NO_ATTR + "; yaql then fails on None"
        ),
    ),
]

"""Cases: list_join, str_replace and its strict forms, str_split, digest, make_url."""

from snippets import HOT, LATEST, SERVER_DATA, Case, E, each

_BEFORE_JSON = HOT[:3]  # Join / Replace (one list, no JSON)
_JSON = HOT[3:]  # JoinMultiple / ReplaceJson (2015-10-15 on)

CASES: list[Case] = [
    # --- list_join: Join before 2015-10-15, JoinMultiple after -----------------------------
    *each(HOT, lambda v: Case(f"list_join_{v}", v, "{list_join: [', ', [a, b, c]]}", "a, b, c")),
    *each(
        _BEFORE_JSON,
        lambda v: Case(
            f"list_join_number_item_{v}",
            v,
            "{list_join: [',', [a, 2]]}",
            E("EVL001", "Items to join must be strings not 2"),
        ),
    ),
    *each(
        _JSON,
        lambda v: Case(
            f"list_join_number_item_{v}",
            v,
            "{list_join: [',', [a, 2]]}",
            E("EVL001", "Items to join must be string, map or list not 2"),
        ),
    ),
    Case("list_join_null_item", LATEST, "{list_join: [',', [a, null, b]]}", "a,,b"),
    Case("list_join_multiple_lists", LATEST, "{list_join: [',', [a], [b, c], []]}", "a,b,c"),
    Case(
        "list_join_json_items",
        LATEST,
        "{list_join: [' ', [{b: 1, a: [x]}, [1, true]]]}",
        '{"a": ["x"], "b": 1} [1, true]',
    ),
    Case(
        "list_join_map_item_2013",
        "2013-05-23",
        "{list_join: [',', [{a: 1}]]}",
        E("EVL001", "Items to join must be strings not {'a': 1}"),
    ),
    Case(
        "list_join_not_a_list",
        LATEST,
        "{list_join: [',', abc]}",
        E("EVL001", '"list_join" must operate on a list'),
    ),
    Case("list_join_null_list_2013", "2013-05-23", "{list_join: [',', null]}", ""),
    Case("list_join_param_list", LATEST, "{list_join: ['|', {get_param: l}]}", "node1| blue"),
    Case(
        "list_join_delimiter_not_string",
        LATEST,
        "{list_join: [1, [a, b]]}",
        E("EVL001", '"list_join" delimiter must be a string'),
    ),
    Case(
        "list_join_drops_false_if_list",
        LATEST,
        "{list_join: [',', [a], {if: [is_dev, [b]]}, [c]]}",
        "a,c",
    ),
    Case(
        "list_join_false_if_items", LATEST, "{list_join: [',', [a, {if: [is_dev, b]}, c]]}", "a,c"
    ),
    Case(
        "list_join_cdl_number_free",
        "2015-04-30",
        "{list_join: ['', {get_param: ports}]}",
        "2280443",
    ),
    # --- str_replace: Replace before 2015-10-15, ReplaceJson after ---------------------------
    *each(
        HOT,
        lambda v: Case(
            f"str_replace_{v}",
            v,
            "{str_replace: {template: 'Hi NAME!', params: {NAME: you}}}",
            "Hi you!",
        ),
    ),
    Case(
        "str_replace_longest_key_wins",
        LATEST,
        "{str_replace: {template: foo foobar, params: {foo: X, foobar: Y}}}",
        "X Y",
    ),
    Case(
        "str_replace_equal_length_lexicographic",
        LATEST,
        "{str_replace: {template: abc, params: {ab: X, bc: Y}}}",
        "Xc",
    ),
    Case(
        "str_replace_python_format_2013",
        "2013-05-23",
        "{str_replace: {template: 'a b c', params: {a: true, b: 1.50, c: 7}}}",
        "True 1.5 7",
    ),
    Case(
        "str_replace_python_format_json_era",
        LATEST,
        "{str_replace: {template: 'a b', params: {a: false, b: 2.0}}}",
        "False 2.0",
    ),
    *each(
        _BEFORE_JSON,
        lambda v: Case(
            f"str_replace_list_value_{v}",
            v,
            "{str_replace: {template: x, params: {x: [1]}}}",
            E("EVL001", "params must be strings or numbers"),
        ),
    ),
    *each(
        _JSON,
        lambda v: Case(
            f"str_replace_json_value_{v}",
            v,
            "{str_replace: {template: 'v=x', params: {x: {b: 2, a: [1]}}}}",
            'v={"a": [1], "b": 2}',
        ),
    ),
    Case(
        "str_replace_null_value",
        LATEST,
        "{str_replace: {template: 'a-x-b', params: {x: null}}}",
        "a--b",
    ),
    Case(
        "str_replace_template_not_string",
        LATEST,
        "{str_replace: {template: [x], params: {x: y}}}",
        E("EVL001", '"str_replace" template must be a string'),
    ),
    Case(
        "str_replace_params_from_param_not_map",
        LATEST,
        "{str_replace: {template: x, params: {get_param: s}}}",
        E("EVL001", '"str_replace" params must be a map'),
    ),
    Case(
        "str_replace_params_from_json_param",
        LATEST,
        "{str_replace: {template: 'a=k', params: {get_param: j}}}",
        '{"b": [1, 2]}=v',
    ),
    Case(
        "str_replace_empty_key",
        LATEST,
        "{str_replace: {template: abc, params: {'': x}}}",
        E("EVL001", "empty separator"),
    ),
    Case(
        "str_replace_unknown_value_unused",
        LATEST,
        "{str_replace: {template: abc, params: {zzz: {get_attr: [srv, name]}}}}",
        "abc",
        heat="abc",
    ),
    Case(
        "str_replace_with_attribute",
        LATEST,
        "{str_replace: {template: 'host=H', params: {H: {get_attr: [srv, first_address]}}}}",
        "host=10.0.0.5",
        resource_data=SERVER_DATA,
    ),
    # --- str_replace_strict (2017-02-24) and str_replace_vstrict (2017-09-01) -----------------
    Case(
        "str_replace_strict",
        "2017-02-24",
        "{str_replace_strict: {template: 'a b', params: {a: 1, b: 2}}}",
        "1 2",
    ),
    Case(
        "str_replace_strict_missing_key",
        "2017-02-24",
        "{str_replace_strict: {template: 'a b', params: {a: 1, zz: 2}}}",
        E("EVL002", "The following params were not found in the template: zz"),
    ),
    Case(
        "str_replace_strict_key_inside_longer_key",
        LATEST,
        "{str_replace_strict: {template: foobar, params: {foobar: X, foo: Y}}}",
        E("EVL002", "The following params were not found in the template: foo"),
    ),
    Case(
        "str_replace_strict_empty_value_allowed",
        LATEST,
        "{str_replace_strict: {template: 'a-b', params: {a: ''}}}",
        "-b",
    ),
    Case(
        "str_replace_vstrict",
        "2017-09-01",
        "{str_replace_vstrict: {template: 'a', params: {a: x}}}",
        "x",
    ),
    Case(
        "str_replace_vstrict_empty_string",
        "2017-09-01",
        "{str_replace_vstrict: {template: 'a', params: {a: ''}}}",
        E("EVL003", "has an undefined or empty value for param a"),
    ),
    Case(
        "str_replace_vstrict_null",
        LATEST,
        "{str_replace_vstrict: {template: 'a', params: {a: null}}}",
        E("EVL003", "str_replace_vstrict has an undefined or empty value for param a"),
    ),
    Case(
        "str_replace_vstrict_empty_list",
        LATEST,
        "{str_replace_vstrict: {template: 'a', params: {a: []}}}",
        E("EVL003", "has an undefined or empty value for param a"),
    ),
    Case(
        "str_replace_vstrict_from_empty_param",
        LATEST,
        "{str_replace_vstrict: {template: 'a', params: {a: {get_param: empty}}}}",
        E("EVL003", "must be a defined non-empty value"),
    ),
    Case(
        "str_replace_vstrict_missing_key",
        LATEST,
        "{str_replace_vstrict: {template: 'a', params: {a: x, b: y}}}",
        E("EVL002", "not found in the template: b"),
    ),
    # --- str_split (2015-10-15) ------------------------------------------------------------
    *each(
        _JSON,
        lambda v: Case(f"str_split_{v}", v, "{str_split: [',', 'a,b,,c']}", ["a", "b", "", "c"]),
    ),
    Case("str_split_index", LATEST, "{str_split: [',', 'a,b,c', 1]}", "b"),
    Case("str_split_negative_index", LATEST, "{str_split: [',', 'a,b,c', -1]}", "c"),
    Case("str_split_string_index", LATEST, "{str_split: [',', 'a,b,c', '2']}", "c"),
    Case(
        "str_split_index_out_of_range",
        LATEST,
        "{str_split: [',', 'a,b', 5]}",
        E("EVL001", 'Incorrect index to "str_split" should be between 0 and 1'),
    ),
    Case(
        "str_split_bad_index",
        LATEST,
        "{str_split: [',', 'a,b', x]}",
        E("EVL001", 'Incorrect index to "str_split" should be'),
    ),
    Case("str_split_null_string", LATEST, "{str_split: [',', null]}", None),
    Case(
        "str_split_not_a_string",
        LATEST,
        "{str_split: [',', 5]}",
        E("EVL001", "'int' object has no attribute 'split'"),
    ),
    Case(
        "str_split_empty_delimiter",
        LATEST,
        "{str_split: ['', abc]}",
        E("EVL001", "empty separator"),
    ),
    Case("str_split_param", LATEST, "{str_split: ['e', {get_param: s}, 0]}", "h"),
    # --- digest (2015-04-30), latin-1 (surprise 11) ------------------------------------------
    *each(
        HOT[2:],
        lambda v: Case(
            f"digest_sha256_{v}",
            v,
            "{digest: [sha256, abc]}",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
    ),
    Case("digest_md5", LATEST, "{digest: [md5, '']}", "d41d8cd98f00b204e9800998ecf8427e"),
    Case(
        "digest_upper_case_algorithm",
        LATEST,
        "{digest: [SHA1, abc]}",
        "a9993e364706816aba3e25717850c26c9cd0d89d",
    ),
    Case("digest_latin1", LATEST, "{digest: [md5, 'é']}", "3406877694691ddd1dfb0aca54681407"),
    Case(
        "digest_not_latin1",
        LATEST,
        "{digest: [md5, '€']}",
        E("EVL001", "'latin-1' codec can't encode character"),
    ),
    Case(
        "digest_unknown_algorithm",
        LATEST,
        "{digest: [sha7, abc]}",
        E("EVL001", "Algorithm must be one of"),
    ),
    Case(
        "digest_not_a_string",
        LATEST,
        "{digest: [md5, 5]}",
        E("EVL001", 'Argument to function "digest" must be a list of strings'),
    ),
    # --- make_url (2017-09-01) --------------------------------------------------------------
    Case(
        "make_url_full",
        "2017-09-01",
        "{make_url: {scheme: https, username: 'a b', password: 'p@ss', host: example.com, "
        "port: 8443, path: '/x y/z', query: {q: 'a/b c', n: 1}, fragment: 'f g'}}",
        "https://a%20b:p%40ss@example.com:8443/x%20y/z?q=a/b+c&n=1#f%20g",
    ),
    Case(
        "make_url_ipv6",
        LATEST,
        "{make_url: {scheme: http, host: '::1', port: '80'}}",
        "http://[::1]:80",
    ),
    Case(
        "make_url_bracketed_ipv6",
        LATEST,
        "{make_url: {scheme: http, host: '[fe80::1]'}}",
        "http://[fe80::1]",
    ),
    Case(
        "make_url_bad_port",
        LATEST,
        "{make_url: {host: h, port: abc}}",
        E("EVL001", 'Invalid URL port "abc"'),
    ),
    Case(
        "make_url_port_out_of_range",
        LATEST,
        "{make_url: {host: h, port: 70000}}",
        E("EVL001", "Invalid URL port 70000, must be in range 1-65535"),
    ),
    Case(
        "make_url_scheme_with_colon",
        LATEST,
        "{make_url: {scheme: 'http:', host: h}}",
        E("EVL001", "should not contain ':'"),
    ),
    Case(
        "make_url_host_not_string",
        LATEST,
        "{make_url: {host: {get_param: n}}}",
        E("EVL001", 'The "host" argument to "make_url" must be a string'),
    ),
    Case("make_url_path_only", LATEST, "{make_url: {path: /a}}", "/a"),
]

"""Cases: resource conditions, HOT 2013-05-23's CloudFormation functions, shapes Heat rejects
while parsing (reported by the frontend and check_functions, Unknown here), and mixed
functions."""

from snippets import (
    CFN,
    CFN_HEAT,
    LATEST,
    NO_ATTR,
    SERVER_DATA,
    Case,
    E,
    H,
    HeatError,
    U,
)

PARSE = "Heat rejects the shape while parsing; the frontend or check_functions reports it"

CASES: list[Case] = [
    # --- resource conditions: which resources Heat keeps (compared with Heat's list) -------
    Case(
        "resource_condition_false",
        LATEST,
        "{get_param: s}",
        "hello",
        resources="dev_only: {type: OS::Heat::None, condition: is_dev}",
    ),
    Case(
        "resource_condition_true",
        "2016-10-14",
        "{get_param: s}",
        "hello",
        resources="prod_only: {type: OS::Heat::None, condition: is_prod}",
    ),
    Case(
        "resource_condition_literal_false",
        LATEST,
        "{get_param: s}",
        "hello",
        resources="never: {type: OS::Heat::None, condition: false}",
    ),
    Case(
        "resource_condition_inline",
        LATEST,
        "{get_param: s}",
        "hello",
        resources="inline: {type: OS::Heat::None, condition: {and: [is_prod, {not: is_dev}]}}",
    ),
    Case(
        "resource_condition_parameter_names_it",
        LATEST,
        "{get_param: s}",
        "hello",
        parameters="pick: {type: string, default: is_dev}",
        resources="picked: {type: OS::Heat::None, condition: {get_param: pick}}",
    ),
    Case(
        "resource_condition_cfn",
        CFN,
        "{Ref: s}",
        "hello",
        resources="DevOnly: {Type: 'OS::Heat::None', Condition: is_dev}",
    ),
    Case(
        "reference_to_disabled_resource",
        LATEST,
        "{get_resource: dev_only}",
        U("string"),
        resources="dev_only: {type: OS::Heat::None, condition: is_dev}",
        heat=H(
            HeatError('The specified reference "dev_only"'),
            "a reference to a disabled resource: dependency_graph reports it (DEP002)",
        ),
    ),
    # --- HOT 2013-05-23 keeps CloudFormation's functions --------------------------------
    Case("hot_2013_fn_split", "2013-05-23", "{'Fn::Split': [',', 'a,b']}", ["a", "b"]),
    Case("hot_2013_fn_replace", "2013-05-23", "{'Fn::Replace': [{X: y}, aXb]}", "ayb"),
    Case("hot_2013_fn_base64", "2013-05-23", "{'Fn::Base64': text}", "text"),
    Case("hot_2013_fn_select", "2013-05-23", "{'Fn::Select': [1, {get_param: l}]}", " blue"),
    Case("hot_2014_fn_select", "2014-10-16", "{'Fn::Select': [0, [a]]}", "a"),
    Case(
        "hot_2013_member_list_to_map",
        "2013-05-23",
        "{'Fn::MemberListToMap': [Key, Val, ['.member.2.Key=b', '.member.2.Val=2', "
        "'.member.1.Key=a', '.member.1.Val=1', 'ignored=x']]}",
        {"a": "1", "b": "2"},
    ),
    Case(
        "hot_2013_fn_get_azs",
        "2013-05-23",
        "{'Fn::GetAZs': ''}",
        U("list"),
        heat=H(HeatError(""), "Heat asks nova for the zones"),
    ),
    Case(
        "hot_resource_facade",
        LATEST,
        "{resource_facade: metadata}",
        U("any"),
        heat=H(HeatError(""), "only a provider template has a parent resource"),
    ),
    Case(
        "hot_2013_fn_join_number",
        "2013-05-23",
        "{'Fn::Join': [',', [{get_param: n}]]}",
        E("EVL001", "Items to join must be strings not 7"),
    ),
    # --- shapes Heat rejects while parsing: Unknown here, reported elsewhere ---------------
    Case(
        "get_attr_all_before_2015_10_15",
        "2015-04-30",
        "{get_attr: [srv]}",
        U("any"),
        heat=H(HeatError('Arguments to "get_attr" must be of the form'), PARSE),
    ),
    Case(
        "list_join_several_lists_2013",
        "2013-05-23",
        "{list_join: [',', [a], [b]]}",
        U("any"),
        heat=H(HeatError('Incorrect arguments to "list_join"'), PARSE),
    ),
    Case(
        "if_two_arguments_before_2021",
        "2018-08-31",
        "{if: [is_prod, a]}",
        U("any"),
        heat=H(HeatError('Arguments to "if" must be of the form'), PARSE),
    ),
    Case(
        "str_replace_params_literal_list",
        LATEST,
        "{str_replace: {template: a, params: [a]}}",
        U("string"),
        heat=H(HeatError('"str_replace" parameters must be a mapping'), PARSE),
    ),
    Case(
        "repeat_permutations_not_boolean",
        LATEST,
        "{repeat: {for_each: {'<x>': [a]}, template: '<x>', permutations: 'no'}}",
        U("list"),
        heat=H(HeatError('"permutations" should be boolean type for repeat function.'), PARSE),
    ),
    Case(
        "condition_function_before_its_version",
        "2016-10-14",
        "{if: [c, a, b]}",
        U("string"),
        conditions="c: {contains: [a, [a]]}",
        heat=H(
            HeatError('The definition of condition "c" is invalid'),
            "contains is a condition function from 2017-09-01: FN002 reports it",
        ),
    ),
    Case(
        "cfn_find_in_map_default_value",
        CFN,
        "{'Fn::FindInMap': [M, k9, v1, {DefaultValue: fallback}]}",
        "fallback",
        heat=H(
            HeatError("too many values to unpack"),
            "the DefaultValue form is AWS's: Heat's FindInMap takes three arguments; Kiln "
            "applies AWS's semantics",
        ),
    ),
    # --- functions together -----------------------------------------------------------------
    Case(
        "cfn_join_number_parameter",
        CFN,
        "{'Fn::Join': [',', [{Ref: n}]]}",
        E("EVL001", "Items to join must be strings not 5"),
    ),
    Case("cfn_select_from_parameter_index", CFN, "{'Fn::Select': [{Ref: n}, [a, b]]}", ""),
    Case("cfn_given_parameter", CFN_HEAT, "{Ref: l}", ["x", "y"], params={"l": "x,y"}),
    Case(
        "str_replace_number_parameter",
        LATEST,
        "{str_replace: {template: 'n=N', params: {N: {get_param: n}}}}",
        "n=7",
    ),
    Case(
        "str_replace_unknown_value_used",
        LATEST,
        "{str_replace: {template: 'ip=IP', params: {IP: {get_attr: [srv, first_address]}}}}",
        U("string"),
        heat=H("ip=", NO_ATTR),
    ),
    Case(
        "digest_of_parameter",
        LATEST,
        "{digest: [md5, {get_param: s}]}",
        "5d41402abc4b2a76b9719d911017c592",
    ),
    Case(
        "map_replace_unknown_map",
        LATEST,
        "{map_replace: [{get_attr: [srv, networks]}, {keys: {a: b}}]}",
        U("map"),
        heat=H({}, NO_ATTR + " (None is {} to map_replace)"),
    ),
    Case(
        "list_concat_unique_maps",
        LATEST,
        "{list_concat_unique: [[{a: 1}, {a: 1}], [{a: 2}]]}",
        [{"a": 1}, {"a": 2}],
    ),
    Case("filter_maps", LATEST, "{filter: [[{a: 1}], [{a: 1}, {b: 2}]]}", [{"b": 2}]),
    Case(
        "make_url_query_from_parameter",
        LATEST,
        "{make_url: {scheme: http, host: h, query: {get_param: j}}}",
        "http://h?a=%7B%27b%27%3A+%5B1%2C+2%5D%7D&k=v",
    ),
    Case(
        "repeat_get_param_sees_placeholder",
        LATEST,
        "{repeat: {for_each: {'<%k%>': [k, a]}, template: {get_param: [j, '<%k%>']}}}",
        ["", ""],
    ),
    Case(
        "repeat_nested_placeholders",
        LATEST,
        "{repeat: {for_each: {'%n%': ['1', '2']}, template: {name: 'vm-%n%', "
        "tags: ['t%n%', {x: '%n%'}]}}}",
        [
            {"name": "vm-1", "tags": ["t1", {"x": "1"}]},
            {"name": "vm-2", "tags": ["t2", {"x": "2"}]},
        ],
    ),
    Case(
        "equals_lists_and_maps",
        LATEST,
        "{if: [c, a, b]}",
        "a",
        conditions="c: {equals: [{get_param: j}, {a: {b: [1, 2]}, k: v}]}",
    ),
    Case(
        "not_string_parameter_names_condition",
        LATEST,
        "{if: [c, a, b]}",
        "b",
        parameters="pick: {type: string, default: is_prod}",
        conditions="c: {not: {get_param: pick}}",
    ),
    Case(
        "and_boolean_parameter",
        LATEST,
        "{if: [c, a, b]}",
        "a",
        conditions="c: {and: [{get_param: b}, is_prod]}",
    ),
    Case(
        "or_short_circuits_cfn",
        CFN,
        "{'Fn::If': [c, a, b]}",
        "a",
        conditions="c: {'Fn::Or': [is_prod, Undefined]}",
    ),
    Case(
        "contains_unknown",
        LATEST,
        "{contains: [x, {get_attr: [srv, networks]}]}",
        U("boolean"),
        heat=H(HeatError('Second argument to "contains" should be a sequence'), NO_ATTR),
    ),
    Case(
        "contains_known_in_partly_unknown",
        LATEST,
        "{contains: [a, [a, {get_attr: [srv, name]}]]}",
        True,
    ),
    Case(
        "get_attr_in_yaql_data",
        LATEST,
        "{yaql: {expression: '$.data.private.len()', data: {get_attr: [srv, networks]}}}",
        2,
        resource_data=SERVER_DATA,
    ),
    Case(
        "if_with_attribute_branch",
        LATEST,
        "{if: [is_prod, {get_attr: [srv, name]}, x]}",
        "web",
        resource_data=SERVER_DATA,
    ),
    Case(
        "nested_functions",
        LATEST,
        "{list_join: ['.', {repeat: {for_each: {'<i>': {str_split: [',', '1,2']}}, "
        "template: {str_replace: {template: 'n<i>', params: {n: {get_param: s}}}}}}]}",
        "hello1.hello2",
    ),
]

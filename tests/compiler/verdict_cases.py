"""Inputs of the Heat verdict table: parameter values, custom constraint values, property values.

Plain data, importable both by Kiln's tests and by heat_verdicts.py running under Heat's venv.
Every case is judged by Heat's own classes (heat_verdicts.py writes heat_verdicts.json) and by
Kiln (test_heat_verdicts.py compares).
"""

# fmt: off
# (parameter type, HOT constraints, raw value, hidden)
PARAMETERS = [
    # number: Heat's permissive parsing (int(), then float()).
    ("number", [], "1e2", False),
    ("number", [], "007", False),
    ("number", [], " 5", False),
    ("number", [], "5 ", False),
    ("number", [], "1_000", False),
    ("number", [], "-3.5", False),
    ("number", [], "nan", False),
    ("number", [], "inf", False),
    ("number", [], "abc", False),
    ("number", [], "", False),
    ("number", [], 7, False),
    ("number", [], 2.5, False),
    ("number", [], True, False),
    ("number", [], [1], False),
    ("number", [], {"a": 1}, False),
    ("number", [{"range": {"min": 1, "max": 4}}], 9, False),
    ("number", [{"range": {"min": 1, "max": 4}}], "3", False),
    ("number", [{"range": {"min": 1}}], "0", False),
    ("number", [{"range": {"max": 10}}], 10.5, False),
    ("number", [{"range": {"min": 1, "max": 4}, "description": "one to four"}], 0, False),
    ("number", [{"modulo": {"step": 2, "offset": 1}}], 4, False),
    ("number", [{"modulo": {"step": 2, "offset": 1}}], "7", False),
    ("number", [{"modulo": {"step": 2, "offset": 1}}], 7.5, False),
    ("number", [{"allowed_values": [1, 2, "3"]}], "3", False),
    ("number", [{"allowed_values": [1, 2]}], 1.0, False),
    ("number", [{"allowed_values": [1, 2]}], 5, False),
    ("number", [{"allowed_values": [1, 2]}], 5, True),
    # boolean: oslo strutils.bool_from_string(strict=True).
    ("boolean", [], "on", False),
    ("boolean", [], "OFF", False),
    ("boolean", [], "t", False),
    ("boolean", [], "y", False),
    ("boolean", [], "Yes", False),
    ("boolean", [], " true ", False),
    ("boolean", [], "0", False),
    ("boolean", [], 1, False),
    ("boolean", [], 0, False),
    ("boolean", [], 2, False),
    ("boolean", [], 1.0, False),
    ("boolean", [], True, False),
    ("boolean", [], "maybe", False),
    ("boolean", [], "maybe", True),
    ("boolean", [], "", False),
    ("boolean", [{"allowed_values": [True]}], "yes", False),
    ("boolean", [{"allowed_values": ["true"]}], "no", False),
    # comma_delimited_list: whitespace and empty items are kept.
    ("comma_delimited_list", [], "node1, blue", False),
    ("comma_delimited_list", [], "a,,b", False),
    ("comma_delimited_list", [], "", False),
    ("comma_delimited_list", [], ",", False),
    ("comma_delimited_list", [], ["x", 1, True, None], False),
    ("comma_delimited_list", [], 5, False),
    ("comma_delimited_list", [], {"a": 1}, False),
    ("comma_delimited_list", [{"length": {"min": 2}}], "a", False),
    ("comma_delimited_list", [{"length": {"max": 2}}], "a,b,c", False),
    ("comma_delimited_list", [{"allowed_values": ["a", "b"]}], "a,b", False),
    ("comma_delimited_list", [{"allowed_values": ["a", "b"]}], "a,c", False),
    ("comma_delimited_list", [{"allowed_values": [1, 2]}], "1,2", False),
    ("comma_delimited_list", [{"custom_constraint": "ip_addr"}], "1.2.3.4", False),
    # json: null, numbers and strings are JSON too.
    ("json", [], "null", False),
    ("json", [], "42", False),
    ("json", [], '"str"', False),
    ("json", [], "", False),
    ("json", [], "{bad", False),
    ("json", [], '{"a": [1, 2]}', False),
    ("json", [], {"a": 1}, False),
    ("json", [], [1, "b"], False),
    ("json", [], 3, False),
    ("json", [{"length": {"min": 2}}], {"a": 1}, False),
    ("json", [{"length": {"max": 1}}], "[1, 2]", False),
    # string: anything is a string (str()); constraints see the raw value.
    ("string", [], "x", False),
    ("string", [], 5, False),
    ("string", [], 1.5, False),
    ("string", [], True, False),
    ("string", [], [1, "a"], False),
    ("string", [], {"k": 1}, False),
    ("string", [{"length": {"min": 2, "max": 4}}], "abcde", False),
    ("string", [{"length": {"min": 2, "max": 4}}], "a", True),
    ("string", [{"length": {"min": 2}}], 5, False),
    ("string", [{"allowed_values": ["a", "b"]}], "c", False),
    ("string", [{"allowed_values": ["a", "b"]}], "c", True),
    ("string", [{"allowed_values": [1, 2]}], "1", False),
    ("string", [{"allowed_values": ["1", "2"]}], 1, False),
    ("string", [{"allowed_values": [True]}], "True", False),
    ("string", [{"allowed_pattern": "[a-z]+"}], "abc", False),
    ("string", [{"allowed_pattern": "[a-z]+"}], "abc1", False),
    ("string", [{"allowed_pattern": "[a-z]+"}], "1abc", False),
    ("string", [{"allowed_pattern": "a|ab"}], "ab", False),
    ("string", [{"allowed_pattern": "[a-z]+$"}], "abc\n", False),
    ("string", [{"allowed_pattern": "[a-z]+"}], "s3cret!", True),
    ("string", [{"allowed_pattern": "[0-9]+", "description": "digits only"}], "x", False),
    ("string", [{"allowed_pattern": "[0-9]+"}], 5, False),
    ("string", [{"custom_constraint": "ip_addr"}], "10.0.0.1", False),
    ("string", [{"custom_constraint": "ip_addr"}], "10.0.0.256", False),
    ("string", [{"custom_constraint": "ip_addr"}], "10.0.0.256", True),
    ("string", [{"custom_constraint": "net_cidr"}], "10.0.0.0/33", False),
    ("string", [{"custom_constraint": "mac_addr"}], "zz", False),
    ("string", [{"custom_constraint": "dns_name"}], "-bad", False),
    ("string", [{"length": {"min": 1}}, {"allowed_pattern": "[a-z]*"}], "", False),
    ("string", [{"allowed_pattern": "[a-z]*"}, {"length": {"min": 1}}], "", False),
]

# (constraint name, value): the pure custom constraints.
CUSTOM = [
    *[
        ("ip_addr", value)
        for value in (
            "10.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "010.0.0.1", "1.2.3",
            "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.04", "1.2.3.0x4", "::1",
            "::", "fe80::1", "FE80::1", "fe80::1%eth0", "::ffff:1.2.3.4", "1::2::3", "gggg::1",
            "2001:db8::/64", "1.2.3.4/32", "", "localhost", "1.2.3.4.", "1e2.0.0.1",
            "\u0661.2.3.4", "1_0.0.0.1", 5, None, ["1.2.3.4"],
        )
    ],
    *[
        ("net_cidr", value)
        for value in (
            "10.0.0.0/8", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08",
            "10.0.0.0/+8", "10.0.0.0", "10/8", "10.0.0.0/255.0.0.0", "10.0.0.0/0.255.255.255",
            "2001:db8::/64", "2001:DB8::/64", "2001:db8::/129", "2001:db8::/064",
            "2001:db8::/+64", "2001:db8::/ffff:ffff::", "2001:db8::/::ffff",
            "2001:db8::/ffff::ffff", "2001:db8::", "::/0", "0.0.0.0/0", "10.0.0.0/8/8",
            "10.0.0.0 /8", "", "10.0.0.0/", "010.0.0.0/8", "fe80::1%eth0/64", 8, None,
        )
    ],
    *[
        ("ip_or_cidr", value)
        for value in (
            "10.0.0.1", "10.0.0.0/24", "10.0.0.0/33", "::1", "2001:db8::/32", "bad",
            "bad/24", "", "01.0.0.1", 5,
        )
    ],
    *[
        ("mac_addr", value)
        for value in (
            "00:11:22:33:44:55", "00-11-22-33-44-55", "0:1:2:3:4:5", "001122334455",
            "00112233445", "0011.2233.4455", "001122-334455", "00:11:22:33:44",
            "00:11:22:33:44:55:66", "gg:11:22:33:44:55", "00:11:22:33:44:55\n",
            "AA:BB:CC:DD:EE:FF", "", 5, None,
        )
    ],
    *[
        (name, value)
        for name in ("dns_name", "dns_domain", "rel_dns_name")
        for value in (
            "example.com", "example.com.", "www.example.com", "-bad.com", "bad-.com",
            "a..b", "UPPER.com", "under_score.com", "1.2.3.4", "host.123.", "x" * 64 + ".com",
            ("a" * 60 + ".") * 5 + "com", "", ".", "a", "a.",
        )
    ],
    *[
        ("iso_8601", value)
        for value in (
            "2024-01-02T03:04:05Z", "2024-01-02", "2024-01-02T03:04:05+05:30", "2024-13-01",
            "20240102T030405Z", "yesterday", "", "2024-02-30", 5, None,
        )
    ],
    *[
        ("expiration", value)
        for value in (
            "2999-01-01T00:00:00Z", "2001-01-01T00:00:00Z", " 2999-01-01T00:00:00Z ",
            "not a date", "", None, 5,
        )
    ],
    *[
        ("cron_expression", value)
        for value in (
            "0 0 * * *", "*/5 * * * *", "0 0 1 1 *", "@daily", "@hourly", "0 0 * * mon-fri",
            "0 0 L * *", "0 0 * * 1#2", "0 0 ? * *", "0 0 15W * *", "61 * * * *", "* * *",
            "* * * * * * * *", "0 0 * * * 30", "0 0 * * * 30 2030", "a b c d e", "", None,
            "0 0 31 2 *", "0-70 * * * *", "*/0 * * * *", "0 0 * * 8", "0 0 * * 7",
            "0 0 * jan *", "H * * * *", 5,
        )
    ],
    *[
        ("timezone", value)
        for value in (
            "UTC", "Europe/Paris", "America/New_York", "Mars/Phobos", "utc", "../etc", "",
            "EST", None,
        )
    ],
    *[
        ("json_string", value)
        for value in ('{"a": 1}', "[1, 2]", "42", '"x"', "{bad", "", "null", "NaN", None)
    ],
]

# (property schema, raw value). A schema is {"type": Heat type, "default"?, "constraints"?:
# [HOT-style constraint dicts], "schema"?: item schema (List) or {key: schema} (Map),
# "required"?: bool}.
PROPERTIES = [
    *[
        ({"type": "String"}, value)
        for value in ("x", "", 5, True, False, 1.5, 0.0, [1], {"a": 1}, None)
    ],
    ({"type": "String", "default": "d"}, None),
    ({"type": "String", "default": ""}, None),
    *[
        ({"type": "Integer"}, value)
        for value in (
            5, "5", " 5 ", "05", "5.0", "five", 5.7, -2.0, True, False, [5], {"a": 1}, None,
            "1e3", "1_000", "",
        )
    ],
    ({"type": "Integer", "default": 3}, None),
    ({"type": "Integer", "default": 0}, None),
    *[
        ({"type": "Number"}, value)
        for value in (5, "5", "5.5", "1e3", "abc", 2.5, True, [1], None, "nan")
    ],
    *[
        ({"type": "Boolean"}, value)
        for value in (
            True, False, "true", "TRUE", "False", "yes", "on", "1", 1, 0, None, "", [True],
        )
    ],
    ({"type": "Boolean", "default": True}, None),
    ({"type": "Boolean", "default": "false"}, None),
    *[({"type": "Map"}, value) for value in ({}, {"a": 1}, "x", [1], 5, None, "")],
    *[({"type": "List"}, value) for value in ([], [1, "a"], "a,b", {"a": 1}, 5, None, "")],
    ({"type": "List", "default": ["d"]}, None),
    ({"type": "Any"}, {"anything": [1]}),
    # constraints after coercion
    ({"type": "Integer", "constraints": [{"range": {"min": 1, "max": 512}}]}, "600"),
    ({"type": "Integer", "constraints": [{"range": {"min": 1, "max": 512}}]}, 0),
    ({"type": "Integer", "constraints": [{"range": {"min": 1, "max": 512}}]}, None),
    ({"type": "Integer", "constraints": [{"range": {"min": 1, "max": 512}}]}, "12"),
    ({"type": "Number", "constraints": [{"range": {"min": 0.5}}]}, "0.25"),
    ({"type": "String", "constraints": [{"length": {"min": 2}}]}, "a"),
    ({"type": "String", "constraints": [{"length": {"max": 2}}]}, 12345),
    ({"type": "String", "constraints": [{"allowed_values": ["TCP", "UDP"]}]}, "tcp"),
    ({"type": "String", "constraints": [{"allowed_values": ["TCP", "UDP"]}]}, "UDP"),
    ({"type": "String", "constraints": [{"allowed_values": ["1", "2"]}]}, 1),
    ({"type": "Integer", "constraints": [{"allowed_values": [4, 6]}]}, "6"),
    ({"type": "Integer", "constraints": [{"allowed_values": [4, 6]}]}, 5),
    ({"type": "Integer", "constraints": [{"allowed_values": ["4", "6"]}]}, 4),
    ({"type": "Boolean", "constraints": [{"allowed_values": [True]}]}, "false"),
    ({"type": "List", "constraints": [{"allowed_values": ["a", "b"]}]}, ["a", "c"]),
    ({"type": "List", "constraints": [{"allowed_values": ["a", "b"]}]}, ["b", "a"]),
    ({"type": "List", "constraints": [{"length": {"min": 1}}]}, []),
    ({"type": "Map", "constraints": [{"length": {"max": 1}}]}, {"a": 1, "b": 2}),
    ({"type": "String", "constraints": [{"allowed_pattern": "[a-z]+"}]}, "ab1"),
    ({"type": "String", "constraints": [{"allowed_pattern": "[a-z]+"}]}, 12),
    ({"type": "String", "constraints": [{"custom_constraint": "ip_addr"}]}, "1.2.3.999"),
    ({"type": "String", "constraints": [{"custom_constraint": "mac_addr"}]}, "00:11:22:33:44:55"),
    # children
    ({"type": "List", "schema": {"type": "Integer"}}, ["1", "x"]),
    ({"type": "List", "schema": {"type": "Integer"}}, ["1", "2"]),
    (
        {"type": "List", "schema": {"type": "Map", "schema": {"port": {"type": "Integer"}}}},
        [{"port": "80"}, {"port": "http"}],
    ),
    (
        {"type": "Map", "schema": {"name": {"type": "String", "required": True}}},
        {"other": 1},
    ),
    (
        {"type": "Map", "schema": {"name": {"type": "String", "required": True}}},
        {},
    ),
]
# fmt: on

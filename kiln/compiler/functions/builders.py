"""Builders: from a call's lowered arguments to the canonical node, or BadArguments.

They check only the shape a node needs (how many items, which keys); value-level checks are
the check_functions pass's job. Shared by every dialect: a spelling table names the builder.
"""

from collections.abc import Callable

from kiln.compiler.functions import BadArguments, Builder, Call
from kiln.compiler.ir import expr as e


def items(call: Call, low: int, high: int | None, expected: str) -> tuple[e.Expr, ...]:
    """The arguments as a list of `low` to `high` items."""
    if not isinstance(call.args, e.ListExpr):
        raise BadArguments(expected)
    count = len(call.args.items)
    if count < low or (high is not None and count > high):
        raise BadArguments(expected)
    return call.args.items


def keys(
    call: Call, required: tuple[str, ...], optional: tuple[str, ...], expected: str
) -> dict[str, e.Expr]:
    """The arguments as a map with these keys (and no others)."""
    if not isinstance(call.args, e.MapExpr):
        raise BadArguments(expected)
    present = dict(call.args.items)
    if any(key not in present for key in required) or any(
        key not in required and key not in optional for key in present
    ):
        raise BadArguments(expected)
    return present


def name_of(value: e.Expr, expected: str) -> str:
    if isinstance(value, e.Str):
        return value.value
    raise BadArguments(expected)


# --- references ----------------------------------------------------------------------------


def pseudo_aware_param(pseudo: frozenset[str]) -> Builder:
    """`get_param: name | [name, path...]`; a pseudo parameter name becomes a PseudoRef."""
    expected = "a parameter name, or a list [name, key or index, ...]"

    def build(call: Call) -> e.Expr:
        if isinstance(call.args, e.ListExpr):
            first, *path = items(call, 1, None, expected)
            name = name_of(first, expected)
        else:
            name, path = name_of(call.args, expected), []
        if name in pseudo and not path:
            return e.PseudoRef(name=name, spelling=call.spelling, span=call.span)
        return e.ParamRef(name=name, path=tuple(path), spelling=call.spelling, span=call.span)

    return build


def build_resource_ref(call: Call) -> e.Expr:
    name = name_of(call.args, "a resource name")
    return e.ResourceRef(name=name, spelling=call.spelling, span=call.span)


def cfn_ref(pseudo: frozenset[str]) -> Builder:
    """CloudFormation `Ref`: a pseudo parameter now; parameters and resources are bound by
    resolve_references, which sees the whole template."""

    def build(call: Call) -> e.Expr:
        name = name_of(call.args, "a parameter, resource or pseudo parameter name")
        if name in pseudo:
            return e.PseudoRef(name=name, spelling=call.spelling, span=call.span)
        return e.UnresolvedRef(name=name, spelling=call.spelling, span=call.span)

    return build


def attr_ref(all_attributes_since: str | None) -> Builder:
    """`get_attr: [resource, attribute, path...]`; `[resource]` alone where the version allows."""
    expected = "a list [resource, attribute, key or index, ...]"

    def build(call: Call) -> e.Expr:
        low = 1 if all_attributes_since is not None and call.version >= all_attributes_since else 2
        if isinstance(call.args, e.Str) and "." in call.args.value:
            # Fn::GetAtt "resource.attribute" long form with a dotted string.
            resource, _, attribute_name = call.args.value.partition(".")
            return e.AttrRef(
                resource=resource,
                attribute=e.Str(value=attribute_name, span=call.args.span),
                spelling=call.spelling,
                span=call.span,
            )
        first, *rest = items(call, low, None, expected)
        attribute = rest[0] if rest else None
        return e.AttrRef(
            resource=name_of(first, expected),
            attribute=attribute,
            path=tuple(rest[1:]),
            spelling=call.spelling,
            span=call.span,
        )

    return build


def build_condition_ref(call: Call) -> e.Expr:
    name = name_of(call.args, "a condition name")
    return e.ConditionRef(name=name, spelling=call.spelling, span=call.span)


# --- strings and lists ---------------------------------------------------------------------


def join(multiple_since: str | None) -> Builder:
    """`[delimiter, list]`; from `multiple_since` on, `[delimiter, list, list...]`."""

    def build(call: Call) -> e.Expr:
        multiple = multiple_since is not None and call.version >= multiple_since
        expected = "a list [delimiter, list, ...]" if multiple else "a list [delimiter, list]"
        delimiter, *lists = items(call, 2, None if multiple else 2, expected)
        return e.Join(
            delimiter=delimiter, lists=tuple(lists), spelling=call.spelling, span=call.span
        )

    return build


def build_str_replace(call: Call) -> e.Expr:
    args = keys(call, ("template", "params"), (), "a map {template: ..., params: {...}}")
    return e.Interpolate(
        template=args["template"], bindings=args["params"], spelling=call.spelling, span=call.span
    )


def build_cfn_replace(call: Call) -> e.Expr:
    bindings, template = items(call, 2, 2, "a list [{search: replacement}, string]")
    return e.Interpolate(
        template=template, bindings=bindings, spelling=call.spelling, span=call.span
    )


def build_sub(call: Call) -> e.Expr:
    if isinstance(call.args, e.ListExpr):
        template, bindings = items(call, 2, 2, "a string, or a list [string, {name: value}]")
        return e.Interpolate(
            template=template, bindings=bindings, spelling=call.spelling, span=call.span
        )
    return e.Interpolate(template=call.args, bindings=None, spelling=call.spelling, span=call.span)


def build_select(call: Call) -> e.Expr:
    index, sequence = items(call, 2, 2, "a list [index, list]")
    return e.Select(index=index, sequence=sequence, spelling=call.spelling, span=call.span)


def split(index_allowed: bool) -> Builder:
    def build(call: Call) -> e.Expr:
        expected = (
            "a list [delimiter, string, index?]" if index_allowed else "a list [delimiter, string]"
        )
        delimiter, value, *index = items(call, 2, 3 if index_allowed else 2, expected)
        return e.Split(
            delimiter=delimiter,
            value=value,
            index=index[0] if index else None,
            spelling=call.spelling,
            span=call.span,
        )

    return build


def unary(node: Callable[..., e.Expr], field: str) -> Builder:
    """A function whose whole argument is one field of the node."""

    def build(call: Call) -> e.Expr:
        return node(**{field: call.args}, spelling=call.spelling, span=call.span)

    return build


def build_digest(call: Call) -> e.Expr:
    algorithm, value = items(call, 2, 2, "a list [algorithm, value]")
    return e.Digest(algorithm=algorithm, value=value, spelling=call.spelling, span=call.span)


def list_concat(unique: bool) -> Builder:
    def build(call: Call) -> e.Expr:
        return e.ListConcat(lists=call.args, unique=unique, spelling=call.spelling, span=call.span)

    return build


def build_filter(call: Call) -> e.Expr:
    remove, sequence = items(call, 2, 2, "a list [values to remove, list]")
    return e.Filter(remove=remove, sequence=sequence, spelling=call.spelling, span=call.span)


def build_contains(call: Call) -> e.Expr:
    value, sequence = items(call, 2, 2, "a list [value, sequence]")
    return e.Contains(value=value, sequence=sequence, spelling=call.spelling, span=call.span)


def build_cidr(call: Call) -> e.Expr:
    block, count, bits = items(call, 3, 3, "a list [ip block, count, cidr bits]")
    return e.Cidr(block=block, count=count, bits=bits, spelling=call.spelling, span=call.span)


# --- maps ----------------------------------------------------------------------------------


def build_map_replace(call: Call) -> e.Expr:
    expected = "a list [map, {keys: {...}, values: {...}}]"
    target, replacements = items(call, 2, 2, expected)
    if not isinstance(replacements, e.MapExpr):
        raise BadArguments(expected)
    if any(key not in ("keys", "values") for key in replacements.items):
        raise BadArguments(expected)
    return e.MapReplace(
        map=target,
        keys=replacements.items.get("keys"),
        values=replacements.items.get("values"),
        spelling=call.spelling,
        span=call.span,
    )


def build_find_in_map(call: Call) -> e.Expr:
    expected = "a list [map name, top-level key, second-level key, {DefaultValue: ...}?]"
    map_name, top_key, second_key, *rest = items(call, 3, 4, expected)
    default: e.Expr | None = None
    if rest:
        option = rest[0]
        if not isinstance(option, e.MapExpr) or "DefaultValue" not in option.items:
            raise BadArguments(expected)
        default = option.items["DefaultValue"]
    return e.FindInMap(
        map_name=map_name,
        top_key=top_key,
        second_key=second_key,
        default=default,
        spelling=call.spelling,
        span=call.span,
    )


def build_member_list_to_map(call: Call) -> e.Expr:
    key_name, value_name, members = items(call, 3, 3, "a list [key name, value name, list]")
    return e.MemberListToMap(
        key_name=key_name,
        value_name=value_name,
        members=members,
        spelling=call.spelling,
        span=call.span,
    )


# --- control and conditions ----------------------------------------------------------------


def if_(two_arguments_since: str | None) -> Builder:
    def build(call: Call) -> e.Expr:
        optional_else = two_arguments_since is not None and call.version >= two_arguments_since
        expected = (
            "a list [condition, value if true, value if false?]"
            if optional_else
            else "a list [condition, value if true, value if false]"
        )
        condition, then, *otherwise = items(call, 2 if optional_else else 3, 3, expected)
        if isinstance(condition, e.Str):
            condition = e.ConditionRef(name=condition.value, spelling="", span=condition.span)
        return e.If(
            condition=condition,
            then=then,
            otherwise=otherwise[0] if otherwise else None,
            spelling=call.spelling,
            span=call.span,
        )

    return build


def build_equals(call: Call) -> e.Expr:
    left, right = items(call, 2, 2, "a list [value, value]")
    return e.Equals(left=left, right=right, spelling=call.spelling, span=call.span)


def boolean_list(node: type[e.And] | type[e.Or], low: int, high: int | None) -> Builder:
    def build(call: Call) -> e.Expr:
        limit = f"{low} to {high}" if high is not None else f"at least {low}"
        conditions = items(call, low, high, f"a list of {limit} conditions")
        named = tuple(
            e.ConditionRef(name=c.value, spelling="", span=c.span) if isinstance(c, e.Str) else c
            for c in conditions
        )
        return node(conditions=named, spelling=call.spelling, span=call.span)

    return build


def not_(list_form: bool) -> Builder:
    """CloudFormation's Fn::Not takes a one-item list; HOT's not takes the condition itself."""

    def build(call: Call) -> e.Expr:
        if list_form:
            (condition,) = items(call, 1, 1, "a list [condition]")
        else:
            condition = call.args
        if isinstance(condition, e.Str):
            condition = e.ConditionRef(name=condition.value, spelling="", span=condition.span)
        return e.Not(condition=condition, spelling=call.spelling, span=call.span)

    return build


def build_repeat(call: Call) -> e.Expr:
    args = keys(
        call,
        ("for_each", "template"),
        ("permutations",),
        "a map {for_each: {placeholder: list}, template: ..., permutations?: bool}",
    )
    return e.Repeat(
        template=args["template"],
        for_each=args["for_each"],
        permutations=args.get("permutations"),
        spelling=call.spelling,
        span=call.span,
    )


def build_yaql(call: Call) -> e.Expr:
    args = keys(call, ("expression",), ("data",), "a map {expression: ..., data: ...}")
    return e.Yaql(
        expression=args["expression"],
        data=args.get("data", e.Null(span=call.span)),
        spelling=call.spelling,
        span=call.span,
    )


def build_get_file(call: Call) -> e.Expr:
    path = name_of(call.args, "a file path or URL")
    return e.GetFile(path=path, spelling=call.spelling, span=call.span)


def build_cfn_get_att(call: Call) -> e.Expr:
    """CloudFormation `Fn::GetAtt`: exactly `[resource, attribute]` (Heat's cfn GetAtt and AWS
    both reject a path), or the string "resource.attribute" (split at the first dot, so a
    nested stack's `Stack.Outputs.Name` keeps `Outputs.Name` as the attribute)."""
    expected = 'a list [resource, attribute] or a string "resource.attribute"'
    if isinstance(call.args, e.Str):
        resource, dot, attribute = call.args.value.partition(".")
        if not (resource and dot and attribute):
            raise BadArguments(expected)
        name = e.Str(value=attribute, span=call.args.span)
        return e.AttrRef(resource=resource, attribute=name, spelling=call.spelling, span=call.span)
    first, second = items(call, 2, 2, expected)
    return e.AttrRef(
        resource=name_of(first, expected), attribute=second, spelling=call.spelling, span=call.span
    )

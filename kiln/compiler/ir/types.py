"""Value types of expressions and parameter types of both dialects."""

from enum import Enum


class ValueType(Enum):
    """What an expression evaluates to, as far as it is known before deployment."""

    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    LIST = "list"
    MAP = "map"
    NULL = "null"
    ANY = "any"

    def __str__(self) -> str:
        return self.value


class ParamType(Enum):
    """Canonical parameter types. CloudFormation's AWS-specific types map onto these and keep
    their spelling on the Parameter."""

    STRING = "string"
    NUMBER = "number"
    COMMA_DELIMITED_LIST = "comma_delimited_list"
    JSON = "json"
    BOOLEAN = "boolean"

    def __str__(self) -> str:
        return self.value

    @property
    def value_type(self) -> ValueType:
        return _PARAM_VALUE_TYPES[self]


_PARAM_VALUE_TYPES = {
    ParamType.STRING: ValueType.STRING,
    ParamType.NUMBER: ValueType.NUMBER,
    ParamType.COMMA_DELIMITED_LIST: ValueType.LIST,
    ParamType.JSON: ValueType.MAP,
    ParamType.BOOLEAN: ValueType.BOOLEAN,
}

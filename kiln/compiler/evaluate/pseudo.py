"""Pseudo parameters: the values Heat gives them for a stack Kiln has not created.

HOTParameters (heat/engine/hot/parameters.py) yields OS::stack_id, OS::stack_name and
OS::project_id (it declares OS::region but never yields it); CfnParameters
(heat/engine/cfn/parameters.py) yields AWS::StackId as the stack's ARN
(heat/common/identifier.py HeatIdentifier.arn), AWS::StackName and AWS::Region, whose default
is ap-southeast-1. The AWS-only pseudo parameters get AWS's meaning where it is fixed
(AWS::NoValue removes the enclosing key or item) and are Unknown otherwise: Heat has none.
"""

from typing import Final
from urllib.parse import quote

from kiln.compiler.evaluate.values import ABSENT, Item, Unknown
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.types import ValueType

# Stand-ins for a stack that does not exist yet; fixed so results are reproducible.
STACK_NAME: Final = "kiln"
STACK_ID: Final = "8a5ee5d6-7b7c-4c3e-9b1e-6f0b5f3c2a10"
PROJECT_ID: Final = "5d1f4b7e0c9a4f6e8b2d3c1a0e9f8d7c"

_AWS_ONLY: Final[dict[str, ValueType]] = {
    "AWS::AccountId": ValueType.STRING,
    "AWS::Partition": ValueType.STRING,
    "AWS::URLSuffix": ValueType.STRING,
    "AWS::NotificationARNs": ValueType.LIST,
}


@frozen_dataclass
class PseudoValues:
    stack_name: str
    stack_id: str
    project_id: str
    region: str

    def arn(self) -> str:
        """HeatIdentifier.arn(): arn:openstack:heat::<tenant>:stacks/<name>/<id>."""
        return (
            f"arn:openstack:heat::{quote(self.project_id, '')}:"
            f"stacks/{quote(self.stack_name, '')}/{quote(self.stack_id, '')}"
        )

    def lookup(self, dialect: str, name: str) -> Item | None:
        """The pseudo parameter's value in the dialect, or None when it has no such name."""
        if dialect == "hot":
            hot = {
                "OS::stack_id": self.stack_id,
                "OS::stack_name": self.stack_name,
                "OS::project_id": self.project_id,
            }
            return hot.get(name)
        cfn = {
            "AWS::StackId": self.arn(),
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
        }
        if name in cfn:
            return cfn[name]
        if name == "AWS::NoValue":
            return ABSENT
        kind = _AWS_ONLY.get(name)
        if kind is not None:
            return Unknown(kind, f"{name} is AWS's; Heat has no such pseudo parameter")
        return None

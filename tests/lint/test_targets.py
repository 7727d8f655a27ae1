"""Targets: a CloudFormation template meant for AWS does not hear about Heat's gaps; one
written for Heat (HeatTemplateFormatVersion) or linted with --target heat does; HOT always."""

from lintkit import codes, lint, write

from kiln.compiler.diagnostics import codes as c
from kiln.compiler.lint.targets import AWS_TARGET_DROPS, target_of

FOR_AWS = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name:
    Type: String
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: {ZipFile: x}
      Role: arn
      Runtime: python3.12
      Handler: index.handler
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Name}-topic"
      Other: !Ref Missing
"""
FOR_HEAT = """
HeatTemplateFormatVersion: "2012-12-12"
Resources:
  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: cirros
      InstanceType: m1.small
      Bogus: 1
  Net:
    Type: OS::Neutron::Net
    Properties:
      nam: x
"""
VALIDATION = ["SCH", "FN", "REF", "PAR", "SYN"]


def test_every_row_names_a_builtin_code():
    builtin = {code.id for code in c.BUILTIN_CODES}
    assert set(AWS_TARGET_DROPS) <= builtin
    for scope, why in AWS_TARGET_DROPS.values():
        assert callable(scope) and why


def test_cloudformation_for_aws_drops_heat_gaps_only(registries, tmp_path):
    path = write(tmp_path, "aws.yaml", FOR_AWS)
    # REF003 (a Ref to nothing) is as wrong on AWS as in Heat: it stays.
    assert codes(lint(registries, path, select=VALIDATION)) == ["REF003"]
    for_heat = lint(registries, path, select=VALIDATION, target="heat")
    assert sorted(set(codes(for_heat))) == ["FN009", "REF003", "SCH002"]


def test_cloudformation_written_for_heat_is_for_heat_unless_told(registries, tmp_path):
    path = write(tmp_path, "heat.yaml", FOR_HEAT)
    assert codes(lint(registries, path, select=VALIDATION)) == ["SCH003", "SCH003"]
    # For AWS: Heat's schema of AWS::EC2::Instance no longer counts; OS::Neutron::Net's does.
    report = lint(registries, path, select=VALIDATION, target="aws")
    assert [(d.code.id, d.dotted_path) for d in report.diagnostics] == [
        ("SCH003", "Resources.Net.Properties.nam")
    ]


def test_hot_is_always_for_heat(registries, tmp_path):
    path = write(
        tmp_path,
        "hot.yaml",
        """
        heat_template_version: 2018-08-31
        parameters:
          unused: {type: string}
        resources:
          net: {type: OS::Neutron::Net, properties: {nam: x}}
        """,
    )
    assert codes(lint(registries, path, select=["UNU001", *VALIDATION], target="aws")) == [
        "UNU001",
        "SCH003",
    ]


def test_target_of(registries, tmp_path):
    from kiln.compiler.driver import compile_file

    hot = write(tmp_path, "h.yaml", "heat_template_version: 2018-08-31\nresources: {}\n")
    aws = write(tmp_path, "a.yaml", FOR_AWS)
    heat = write(tmp_path, "c.yaml", FOR_HEAT)
    root = {p.name: compile_file(str(p), registries).unit.root for p in (hot, aws, heat)}
    assert [target_of(root["h.yaml"], t) for t in (None, "aws", "heat")] == ["heat"] * 3
    assert [target_of(root["a.yaml"], t) for t in (None, "aws", "heat")] == ["aws", "aws", "heat"]
    assert [target_of(root["c.yaml"], t) for t in (None, "aws", "heat")] == ["heat", "aws", "heat"]


GET_ATT = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
  Net:
    Type: OS::Neutron::Net
Outputs:
  GroupId:
    Description: An attribute AWS has and Heat's copy of the type lacks.
    Value: !GetAtt Group.GroupId
  NetBogus:
    Description: An attribute no OS::Neutron::Net has, on either target.
    Value: !GetAtt Net.bogus
"""


def test_attributes_heat_lacks_on_aws_types_are_heat_only(registries, tmp_path):
    path = write(tmp_path, "get_att.yaml", GET_ATT)
    aws = [d for d in lint(registries, path).diagnostics if d.code.id == "REF007"]
    heat = [d for d in lint(registries, path, target="heat").diagnostics if d.code.id == "REF007"]
    assert [d.path[:2] for d in aws] == [("Outputs", "NetBogus")]
    assert sorted(d.path[:2] for d in heat) == [("Outputs", "GroupId"), ("Outputs", "NetBogus")]


POLICIES = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties: {DBInstanceClass: db.t3.micro, Engine: mysql, AllocatedStorage: "20"}
  Vm:
    Type: AWS::EC2::Instance
    DeletionPolicy: Snapshot
    Properties: {ImageId: ami-1, InstanceType: t3.micro}
  Logs:
    Type: AWS::S3::Bucket
    DeletionPolicy: RetainExceptOnCreate
"""


def test_deletion_policies_only_heat_refuses_are_heat_only(registries, tmp_path):
    """RDS can snapshot on AWS, and RetainExceptOnCreate is AWS's: both are Heat's problems
    only. Snapshot on an EC2 instance fails on AWS too (only volumes and databases snapshot)."""
    path = write(tmp_path, "policies.yaml", POLICIES)

    def found(target: str | None) -> list[tuple[str, str]]:
        report = lint(registries, path, select=["SCH014", "SCH016"], target=target)
        return sorted((d.code.id, str(d.path[1])) for d in report.diagnostics)

    assert found(None) == [("SCH014", "Vm")]
    assert found("heat") == [("SCH014", "Db"), ("SCH014", "Vm"), ("SCH016", "Logs")]

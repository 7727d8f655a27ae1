"""The CloudFormation frontend: AWSTemplateFormatVersion, HeatTemplateFormatVersion, none."""

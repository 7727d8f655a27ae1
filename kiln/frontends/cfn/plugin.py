"""Registers the CloudFormation frontend (placeholder until parse.py lands)."""

"""Backends: what Kiln emits from a checked compilation unit (graphs now; HOT, Terraform and
Ansible to follow). Each backend is a mapping table plus an emitter, a package of its own."""

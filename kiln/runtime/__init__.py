"""Deploying templates to a real cloud, and the local OpenStack sandbox to try it on.

The deploy path, in the order a `kiln deploy` goes through it:

- `session.py`    one command on one stack: state store, lock, cloud, plan, engine together
- `desired.py`    the compiled unit as resources to deploy (types, groups expanded, checks)
- `handlers/`     each type's lifecycle (the Handler protocol and its table in __init__.py)
- `plan.py`       desired against recorded: create, update in place, replace, delete, and why
- `engine.py`     the plan along the dependency graph, in parallel; cleanup; rollback
- `operations.py` one resource's operation, recorded before and after each cloud call
- `state/`        the SQLite/PostgreSQL store (SQLAlchemy Core), the per-stack lock, and
                  secret resource data sealed with a key file outside the database
- `cloud.py`      the only module that imports openstacksdk; errors classified for retries
- `retry.py`      backoff for retries and polling; `hidden.py` hidden values never in clear
- `progress.py`, `render.py`   what the commands show; `testhooks.py` the crash tests' hook
"""

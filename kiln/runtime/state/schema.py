"""The state store's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL).

- `kiln_stacks`: one row per stack name: the template it was last deployed from (path and
  text), environment files, parameters (hidden ones as an HMAC, never in clear), the salt of
  those HMACs, Heat-style action and status, the outputs.
- `kiln_resources`: one row per physical resource Kiln manages or is making. `current` is
  False for the old resource of a replacement, kept until it is deleted. The row is written
  before each cloud call (action + IN_PROGRESS + `request_token`) and after it (physical id,
  then COMPLETE/FAILED with the properties applied and the attributes read), so a run killed
  anywhere leaves enough to resume. `requires` keeps the dependencies the resource was made
  with (implicit ones included) so that deletion runs in reverse order without the template.
  `data` is the handler's own key/value record (Heat's resource data); the values its
  handler declares secret are sealed, `{"$sealed": ...}` (sealed.py).
- `kiln_events`: what happened, in order.
- `kiln_locks`: at most one run per stack name: owner, pid, host, heartbeat.
- `kiln_meta`: the schema version.

Times are seconds since the epoch (floats): the same in every database.
"""

from typing import Final

import sqlalchemy as sa

SCHEMA_VERSION: Final = 1

metadata = sa.MetaData()

meta = sa.Table(
    "kiln_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

stacks = sa.Table(
    "kiln_stacks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("template_path", sa.Text, nullable=True),
    sa.Column("template", sa.Text, nullable=True),
    sa.Column("environment_files", sa.JSON, nullable=False, default=list),
    sa.Column("parameters", sa.JSON, nullable=False, default=dict),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("cloud", sa.String(255), nullable=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_reason", sa.Text, nullable=False, default=""),
    sa.Column("outputs", sa.JSON, nullable=False, default=dict),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

resources = sa.Table(
    "kiln_resources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "stack_id", sa.String(36), sa.ForeignKey("kiln_stacks.id", ondelete="CASCADE"), index=True
    ),
    sa.Column("logical_name", sa.String(255), nullable=False),
    sa.Column("type", sa.String(255), nullable=False),
    sa.Column("physical_id", sa.String(255), nullable=True),
    sa.Column("reference_id", sa.Text, nullable=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_reason", sa.Text, nullable=False, default=""),
    sa.Column("current", sa.Boolean, nullable=False, default=True),
    sa.Column("replaces", sa.Integer, nullable=True),
    sa.Column("request_token", sa.String(64), nullable=False),
    sa.Column("properties", sa.JSON, nullable=True),
    sa.Column("attributes", sa.JSON, nullable=False, default=dict),
    sa.Column("requires", sa.JSON, nullable=False, default=list),
    sa.Column("data", sa.JSON, nullable=False, default=dict),
    sa.Column("deletion_policy", sa.String(16), nullable=False, default="Delete"),
    sa.Column("external", sa.Boolean, nullable=False, default=False),
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

events = sa.Table(
    "kiln_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "stack_id", sa.String(36), sa.ForeignKey("kiln_stacks.id", ondelete="CASCADE"), index=True
    ),
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("logical_name", sa.String(255), nullable=True),
    sa.Column("type", sa.String(255), nullable=True),
    sa.Column("physical_id", sa.String(255), nullable=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
)

locks = sa.Table(
    "kiln_locks",
    metadata,
    sa.Column("stack_name", sa.String(255), primary_key=True),
    sa.Column("owner", sa.String(36), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("acquired_at", sa.Float, nullable=False),
    sa.Column("heartbeat_at", sa.Float, nullable=False),
)

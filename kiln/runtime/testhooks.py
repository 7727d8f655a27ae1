"""A test hook: stop the engine at a chosen point so a test can kill the process there.

    KILN_RUNTIME_TEST_PAUSE_AT=<resource>:<phase>[,<resource>:<phase>...]

When the engine reaches that phase of that resource it writes one line to standard error,
`kiln: test hook: paused at <resource>:<phase>`, and sleeps until it is killed. The crash
tests (tests/runtime/engine/test_resume.py) kill -9 it there and check that the next deploy
resumes with no duplicate and no orphan. Nothing else reads this variable; unset, the hook
costs one dictionary lookup per phase.

Phases, in the order a resource passes them (the state store has recorded everything before
each one):

    before-create   the intent row (CREATE_IN_PROGRESS, request token) is written, no call yet
    after-create    the create call returned; its physical id is not recorded yet
    created         the physical id is recorded; completion not yet polled
    before-update   UPDATE_IN_PROGRESS recorded, no call yet
    after-update    the update call returned; completion not yet polled or recorded
    before-delete   DELETE_IN_PROGRESS recorded, no call yet
    after-delete    the delete call returned; the row is not removed yet
"""

import os
import sys
import time
from typing import Final

ENV: Final = "KILN_RUNTIME_TEST_PAUSE_AT"
PHASES: Final = (
    "before-create",
    "after-create",
    "created",
    "before-update",
    "after-update",
    "before-delete",
    "after-delete",
)


def pause_at(resource: str, phase: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    if f"{resource}:{phase}" not in spec.split(","):
        return
    sys.stderr.write(f"kiln: test hook: paused at {resource}:{phase}\n")
    sys.stderr.flush()
    while True:  # until killed
        time.sleep(3600)

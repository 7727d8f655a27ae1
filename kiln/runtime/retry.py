"""Retrying transient cloud errors and polling for completion, both with exponential backoff.

Which errors are transient is decided once, where the cloud's exceptions are classified
(kiln/runtime/cloud.py `classify`): 5xx answers, connection failures and resets, 409 while a
resource is busy, 429. Here that decision is a field of `CloudError`; nothing else retries.
A bounded number of attempts, then the last error stands (Heat's client_retry_limit is 2 and
action_retry_limit 5; Kiln's default is 5 attempts of one call).
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, TypeVar

from kiln.runtime.errors import CloudError, DeployTimeout

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays initial, initial*factor, ... capped at maximum; each stretched by up to
    `jitter` of itself so parallel retries do not move in step."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 20.0
    jitter: float = 0.2

    def delays(self, rng: Callable[[], float] = random.random) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay * (1.0 + self.jitter * rng())
            delay = min(self.maximum, delay * self.factor)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often to ask whether an operation finished, and for how long at most (Heat's
    stack_action_timeout is an hour). Quick at first, then every second at most, as Heat's
    scheduler steps (heat/engine/scheduler.py TaskRunner, wait_time=1): a server ready between
    two checks waits for the next one, and a 5 s cap cost up to 5 s per step of a chain."""

    backoff: Backoff = field(default_factory=lambda: Backoff(0.2, 1.5, 1.0, 0.1))
    timeout: float = 3600.0


DEFAULT_RETRY: Final = RetryPolicy()
DEFAULT_POLL: Final = PollPolicy()


def is_transient(error: BaseException) -> bool:
    return isinstance(error, CloudError) and error.transient


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy = DEFAULT_RETRY,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, CloudError, float], None] | None = None,
    before_retry: Callable[[], T | None] | None = None,
) -> T:
    """`call()`, again after a transient CloudError, at most `policy.attempts` times in all.

    `before_retry` runs before each new attempt; a value other than None ends the retries
    with that value (a create asks whether its first attempt did create the resource after
    all, so a reset connection does not make a duplicate)."""
    delays = policy.backoff.delays()
    attempt = 1
    while True:
        try:
            return call()
        except CloudError as error:
            if not error.transient or attempt >= policy.attempts:
                raise
            delay = next(delays)
            if on_retry is not None:
                on_retry(attempt, error, delay)
            sleep(delay)
            attempt += 1
            if before_retry is not None:
                found = before_retry()
                if found is not None:
                    return found


def poll(
    check: Callable[[], bool],
    what: str,
    policy: PollPolicy = DEFAULT_POLL,
    retry: RetryPolicy = DEFAULT_RETRY,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[int, CloudError, float], None] | None = None,
) -> None:
    """Call `check` until it returns True: at once, then after growing delays. A transient
    error in a check is retried like any call; DeployTimeout after `policy.timeout` seconds."""
    deadline = clock() + policy.timeout
    delays = policy.backoff.delays()
    while not call_with_retries(check, retry, sleep=sleep, on_retry=on_retry):
        remaining = deadline - clock()
        if remaining <= 0:
            raise DeployTimeout(f"timed out after {policy.timeout:g}s waiting for {what}")
        sleep(min(next(delays), remaining))

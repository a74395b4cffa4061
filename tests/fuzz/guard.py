"""What every fuzzed call must end in: a result or a ``SoarpacksError``; never another exception, never a hang."""
from __future__ import annotations

import signal
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.results import CommandResult

# Generous: a healthy call takes milliseconds; only a loop that never ends gets near this.
HANG_SECONDS = 20.0


class Hang(BaseException):
    """A BaseException, so a handler's ``except Exception`` cannot swallow it."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer after {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def where(exc: BaseException) -> str:
    """The innermost frame of ours (integrations/ or tools/) that the exception passed through."""
    ours = [f for f in traceback.extract_tb(exc.__traceback__) if "/integrations/" in f.filename or "/tools/" in f.filename]
    frame = (ours or traceback.extract_tb(exc.__traceback__))[-1]
    path = frame.filename.split("/integrations/")[-1] if "/integrations/" in frame.filename else frame.filename
    return f"{path}:{frame.lineno} in {frame.name}"


def outcome(call: Callable[[], Any]) -> Any:
    """Run ``call``; return its result or the ``SoarpacksError`` it raised; fail on anything else."""
    try:
        with no_hang():
            result = call()
            if isinstance(result, CommandResult):
                result.markdown()  # what the war room shows must render too
            return result
    except errors.SoarpacksError as exc:
        # Non-empty. (Not checked: one line. Messages quote the caller's values, which may hold a newline;
        # keeping the CLI's stderr to one line is the CLI's job when it prints them.)
        assert str(exc).strip(), f"an error with no message: {exc!r}"
        return exc
    except Hang as exc:
        raise AssertionError(f"hang: {exc} ({where(exc)})") from exc
    except Exception as exc:  # noqa: BLE001 - the point of the test
        raise AssertionError(f"{type(exc).__name__}: {str(exc)[:300]} at {where(exc)}") from exc

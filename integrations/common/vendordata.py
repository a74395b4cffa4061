"""Reading vendor answers: ``dig`` into nested objects, and the one place where a crash while reading a
vendor object becomes the vendor's fault.

A null where an object was, a list where a string was, a missing key, a number too large for a date:
checking every answer against a JSON Schema would cost far more than parsing it (20x on a page of 1000
alerts), so the functions that read vendor objects (each vendor's ``mapping.py``, a client's answer
parsers) are marked ``@reads_vendor_data``; a Python error inside them becomes a one-line
``VendorShapeError`` (exit 4). The same error anywhere else (a handler, the runner, the runtime) is a
bug of ours and is reported as one (exit 1).
"""
from __future__ import annotations

import contextlib
import functools
import inspect
from typing import Any, Callable, Iterator, TypeVar

from .errors import VendorShapeError

# What reading a vendor object of an unexpected shape raises in Python.
SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError, ArithmeticError)
F = TypeVar("F", bound=Callable[..., Any])


def dig(body: Any, path: str, default: Any = None) -> Any:
    """``dig(body, "pageInfo.endCursor")``: a dotted path into nested dicts; ``default`` when absent."""
    node = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _shape_error(what: str, exc: BaseException) -> VendorShapeError:
    return VendorShapeError(f"{what}: the vendor's answer did not have the shape this integration relies on "
                            f"({type(exc).__name__}: {str(exc)[:120]}); run with --debug for where")


@contextlib.contextmanager
def vendor_data(what: str) -> Iterator[None]:
    """``with vendor_data("cisco_gta alert"):`` around a few lines that read a vendor object."""
    try:
        yield
    except SHAPE_ERRORS as exc:
        raise _shape_error(what, exc) from exc


def reads_vendor_data(function: F) -> F:
    """Mark a function that reads vendor objects: its shape errors are the vendor's (exit 4).

    A generator is guarded while it runs, not only while it is created."""
    # "soarpacks.integrations.cisco_gta.handlers" -> "cisco_gta"; packages embed us under other roots.
    parts = function.__module__.split(".")
    what = f"{parts[-2] if len(parts) > 1 else parts[0]} {function.__name__}"
    if inspect.isgeneratorfunction(function):
        @functools.wraps(function)
        def generate(*args: Any, **kwargs: Any) -> Any:
            with vendor_data(what):
                yield from function(*args, **kwargs)
        return generate  # type: ignore[return-value]

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except SHAPE_ERRORS as exc:
            raise _shape_error(what, exc) from exc
    return guarded  # type: ignore[return-value]


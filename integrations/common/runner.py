"""Running one command of one integration instance: validate params and args, build the client,
call the handler, hand incidents over and only then save the bookmark."""
from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from . import errors
from .manifest import coerce_values
from .redaction import REDACTOR
from .registry import Integration
from .results import CommandResult, FetchBatch
from .retry import DEFAULT_RETRY, RetryPolicy
from .state import MemoryStateStore, StateStore

FETCH = "fetch-incidents"
# What reading a vendor answer of an unexpected shape raises in Python (a null where an object was,
# a list where a string was, a missing key, a number too large for a date). Checking every answer
# against a JSON Schema would cost far more than parsing it (20x on a page of 1000 alerts), so the
# boundary catches the symptom.
SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError, ArithmeticError)


@contextlib.contextmanager
def vendor_shape_errors(integration_id: str, command_name: str) -> Iterator[None]:
    """Turn a crash on an unexpected vendor answer into one clear line (exit 4); ``--debug`` shows where."""
    try:
        yield
    except SHAPE_ERRORS as exc:
        raise errors.VendorError(
            f"{integration_id} {command_name}: the vendor's answer did not have the shape this integration "
            f"relies on ({type(exc).__name__}: {str(exc)[:120]}); run with --debug for where") from exc


@dataclass
class Instance:
    """A configured integration: its params, a name (the state key) and a state store."""

    integration: Integration
    params: dict[str, Any]
    name: str = "default"
    store: StateStore = field(default_factory=MemoryStateStore)
    retry: RetryPolicy = DEFAULT_RETRY
    _client: Any = field(default=None, repr=False)

    @classmethod
    def configure(cls, integration: Integration, params: Mapping[str, Any], **options: Any) -> "Instance":
        """An instance from raw params. They are checked when the client is first needed, so a wrong
        command or argument (exit 2) is reported before a misconfigured instance (exit 3)."""
        for name in integration.manifest.secret_params:
            if params.get(name):
                REDACTOR.add(str(params[name]))
        return cls(integration, dict(params), **options)

    def state_key(self, command_name: str = "fetch-incidents") -> str:
        return f"{self.integration.id}/{self.name}/{command_name}"

    @property
    def client(self) -> Any:
        if self._client is None:
            manifest = self.integration.manifest
            try:
                values = coerce_values(manifest.params, self.params, what=f"{manifest.id} instance")
            except errors.InputError as exc:
                # The instance is misconfigured, not the command: fix the instance (exit 3).
                raise errors.ConfigError(exc.message) from None
            self._client = self.integration.make_client(values, retry=self.retry)
        return self._client

    def __repr__(self) -> str:
        return f"Instance({self.integration.id}/{self.name})"

    def run(self, command_name: str, args: Mapping[str, Any] | None = None, *,
            emit: Callable[[Any], None] | None = None,
            commit_with: Callable[[], dict[str, dict[str, Any]]] | None = None) -> CommandResult | int:
        """Run a command. fetch-incidents hands each batch's incidents to ``emit`` and returns the count;
        other commands hand their ``CommandResult`` to ``emit`` (if given) before any state is saved.
        ``commit_with`` adds entries saved in the same transaction as each bookmark (an outbox's length)."""
        manifest = self.integration.manifest
        command = manifest.command(command_name)
        values = coerce_values(command.args, args or {}, what=command_name)
        if not command.supported:
            raise errors.NotSupportedError(f"{command_name} is not supported by {manifest.vendor} "
                                           f"{manifest.name}: {command.unsupported_reason}")
        handler = self.integration.handler(command_name)
        if "state" in inspect.signature(handler).parameters:
            values["state"] = self.store.load(self.state_key(command_name))
        with vendor_shape_errors(manifest.id, command_name):
            outcome = handler(self.client, **values)
            if command_name == FETCH:
                return self._hand_over(outcome, emit or (lambda incidents: None), commit_with or dict)
        if not isinstance(outcome, CommandResult):
            raise TypeError(f"{manifest.id} {command_name} returned {type(outcome).__name__}, not a CommandResult")
        outputs = command.outputs or {}
        outcome.prefix = outcome.prefix or outputs.get("prefix")
        outcome.key = outcome.key or outputs.get("key")
        outcome.columns = outcome.columns or outputs.get("columns")
        if emit is not None:
            emit(outcome)
        if outcome.state is not None:
            self.store.save(self.state_key(command_name), outcome.state)
        return outcome

    def _hand_over(self, batches: Iterable[FetchBatch], emit: Callable[[list[dict[str, Any]]], None],
                   commit_with: Callable[[], dict[str, dict[str, Any]]]) -> int:
        count = 0
        for batch in batches:
            if batch.incidents:
                emit(batch.incidents)
                count += len(batch.incidents)
            # Saved only now: a run killed before this line re-fetches the batch, never skips it.
            self.store.save_many({self.state_key(): batch.state, **commit_with()})
        return count

    def fetch_all(self, args: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """fetch-incidents into a list (tests, playbooks, platform adapters)."""
        incidents: list[dict[str, Any]] = []
        self.run(FETCH, args, emit=incidents.extend)
        return incidents

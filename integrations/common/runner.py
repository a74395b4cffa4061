"""Running one command of one integration instance: validate params and args, build the client,
call the handler, hand incidents over and only then save the bookmark."""
from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from . import errors
from .arguments import coerce_values
from .manifest import Command
from .redaction import REDACTOR
from .registry import Integration
from .results import CommandResult, FetchBatch
from .retry import DEFAULT_RETRY, RetryPolicy
from .state import MemoryStateStore, StateStore
from .timeutil import parse_time, utcnow

FETCH = "fetch-incidents"


class HandlerSignatureError(TypeError):
    """A handler does not accept what its manifest declares: a bug of ours (``soarpacks validate`` finds it)."""


def bind_arguments(handler: Callable[..., Any], client: Any, values: Mapping[str, Any],
                   what: str) -> inspect.BoundArguments:
    """The call, checked against the handler's signature before it runs, so a mismatch between the
    manifest and the code is reported as our bug, never as the vendor's answer."""
    try:
        return inspect.signature(handler).bind(client, **values)
    except TypeError as exc:
        raise HandlerSignatureError(f"{what}: the handler does not match its manifest: {exc}") from None


def signature_problems(handler: Callable[..., Any], command: Command) -> list[str]:
    """Where a handler and its manifest command disagree, for ``soarpacks validate``: an argument the
    handler cannot take, or a parameter the runner would leave unset (no manifest default, no default
    in code). The runner passes the client first and ``state`` (the bookmark) when asked for."""
    parameters = list(inspect.signature(handler).parameters.values())
    if not parameters or parameters[0].kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                                    inspect.Parameter.POSITIONAL_OR_KEYWORD):
        return [f"{command.name}: the handler takes no client as its first argument"]
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    named = {p.name: p for p in parameters[1:] if p.kind is not inspect.Parameter.VAR_KEYWORD}
    problems = [f"{command.name}: the manifest argument {spec.name!r} is not a parameter of the handler"
                for spec in command.args if spec.name not in named and not takes_any]
    always_given = {spec.name for spec in command.args if spec.required or spec.has_default}
    for name, parameter in named.items():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL or parameter.default is not inspect.Parameter.empty:
            continue
        if name != "state" and name not in always_given:
            problems.append(f"{command.name}: the handler parameter {name!r} has no default and the manifest "
                            "does not always give it (not an argument, or optional without a default)")
    return problems


def check_start_time(values: Mapping[str, Any], *, what: str) -> None:
    """``first_fetch`` is read before any request: unreadable or in the future is bad input (exit 2),
    never a bookmark saved in the future that would skip everything until then."""
    if "first_fetch" not in values:
        return
    try:
        start = parse_time(values["first_fetch"])
    except errors.InputError as exc:
        raise errors.InputError(f"{what}: first_fetch: {exc.message}") from None
    if start > utcnow():
        raise errors.InputError(f"{what}: first_fetch {values['first_fetch']!r} is in the future")


@contextlib.contextmanager
def _not_found_is_config(command: Command) -> Iterator[None]:
    """A 404 answers an id the caller gave (bad input, exit 2); a command that takes no id cannot name
    a missing object, so there the instance points at the wrong place (exit 3)."""
    try:
        yield
    except errors.NotFoundError as exc:
        if any(spec.required for spec in command.args):
            raise
        raise errors.ConfigError(f"{exc.message} (check the instance's URL)", status=exc.status) from None


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
        check_start_time(values, what=command_name)
        if not command.supported:
            raise errors.NotSupportedError(f"{command_name} is not supported by {manifest.vendor} "
                                           f"{manifest.name}: {command.unsupported_reason}")
        command_name = command.name   # a platform name (cisco-gta-get-alert) runs its role (get-event)
        handler = self.integration.handler(command_name)
        if "state" in inspect.signature(handler).parameters:
            values["state"] = self.store.load(self.state_key(command_name))
        call = bind_arguments(handler, self.client, values, f"{manifest.id} {command_name}")
        # No guard here: a vendor answer of the wrong shape is reported (exit 4) by the mapping helpers
        # that read it (vendordata.reads_vendor_data); any other exception is a bug of ours (exit 1).
        with _not_found_is_config(command):
            outcome = handler(*call.args, **call.kwargs)
            if command_name == FETCH:
                return self._hand_over(outcome, emit or (lambda incidents: None), commit_with or dict)
        if not isinstance(outcome, CommandResult):
            raise TypeError(f"{manifest.id} {command_name} returned {type(outcome).__name__}, not a CommandResult")
        outputs = command.outputs
        if outputs is not None:
            outcome.prefix = outcome.prefix or outputs.prefix
            outcome.key = outcome.key or outputs.key
            outcome.columns = outcome.columns or (list(outputs.columns) or None)
            outcome.titles = {**outputs.titles, **(outcome.titles or {})}
        else:
            outcome.titles = dict(outcome.titles or {})
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

"""Alert Logic's official API definitions, as the contract the simulator is checked against.

``data/`` holds verbatim copies of files from the alertlogic-sdk-definitions 0.1.168 wheel on PyPI
(MIT, ``alertlogic-sdk-definitions.LICENSE``): ``alsdkdefs/apis/{aims,endpoints,iris,search,
responder}/*.yaml`` as ``alertlogic-<service>.<version>.yaml``, and ``assets_query/`` whole (its
file refers to ``parameters.yaml``, ``schemas.yaml``, ... beside it). The package itself is not a test
dependency: it needs Python 3.11+ and pins jsonschema 3.2.0, which conflicts with ours.

``operation_of(method, path)`` finds the file and operation a concrete request belongs to, so any
route a simulator module adds is checked without being listed here; ``check(exchange)`` validates
one recorded answer; ``recording(sim)`` records every answer a simulator gives.
"""
from __future__ import annotations

import copy
import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from tests.openapi_support import OpenApiSpec

DATA = Path(__file__).parent / "data"
FILES = {"aims": "alertlogic-aims.v1.yaml", "endpoints": "alertlogic-endpoints.v1.yaml",
         "iris": "alertlogic-iris.v3.yaml", "search": "alertlogic-search.v2.yaml",
         "assets_query": "assets_query/assets_query.v1.yaml", "responder": "alertlogic-responder.v1.yaml"}


def _iris_errata(document: dict[str, Any]) -> dict[str, Any]:
    """iris.v3.yaml with its one erratum (a copy; the file stays verbatim): ``links.next`` is a
    required ``type: string``, yet the file's own paginated examples send ``next: null`` on the last
    page, which OpenAPI 3.0 only allows with ``nullable: true``."""
    fixed = copy.deepcopy(document)
    links = fixed["components"]["schemas"]["PaginationMetadata"]["properties"]["links"]["properties"]
    links["next"]["nullable"] = True
    return fixed


def _load(service: str) -> OpenApiSpec:
    spec = OpenApiSpec.load(DATA / FILES[service], base_path="")
    if service == "iris":
        spec = OpenApiSpec(_iris_errata(spec.document), base_path="", directory=spec.directory)
    return spec


SPECS = {service: _load(service) for service in FILES}
PUBLISHED_IRIS = OpenApiSpec.load(DATA / FILES["iris"], base_path="")

# Answers the files leave out, per (service, path template or "*", status), with the reason. Every
# other status must be documented for its operation.
GAPS = {
    # Every service refuses a request without a valid x-aims-auth-token with 401; some operations
    # document it, the search messages read and a few others do not.
    ("*", "*", "401"): "AIMS token check in front of every service",
    # 403 is documented for get incident, friendly id and incidents_by_time only; the same account
    # check guards every IRIS path.
    ("iris", "*", "403"): "account check on every IRIS path",
    # The search messages read documents only its 200; a foreign account and a bad datatype or
    # missing ids are refused as the other Alert Logic services refuse them.
    ("search", "/search/v1/{account_id}/messages/{datatype}", "403"): "account check",
    ("search", "/search/v1/{account_id}/messages/{datatype}", "400"): "bad datatype or no ids",
    # Found by this test once the log search and Responder routes were mounted (not yet reviewed
    # against the vendor's behaviour): a foreign account is refused with 403 on the search status
    # read and on every Responder operation, and an empty body with 400 on executions and manage.
    ("search", "/search/v2/{account_id}/searches/{search_uuid}", "403"): "account check",
    ("responder", "*", "403"): "account check on every Responder path",
    ("responder", "/v1/{account_id}/executions", "400"): "an empty body is refused",
    ("responder", "/v1/{account_id}/blocks/manage", "400"): "an empty body is refused",
}
# Routes outside every official file: the legacy Incident API (api.alertlogic.net).
OUTSIDE = {"/api/incident/v3/incidents"}


class Exchange(NamedTuple):
    method: str
    path: str
    status: int
    body: bytes


def operation_of(method: str, path: str) -> tuple[str, OpenApiSpec, str] | None:
    """The service, its spec and the path template a concrete request belongs to, or None."""
    for service, spec in SPECS.items():
        try:
            template, _ = spec.operation(method, path)
        except AssertionError:
            continue
        return service, spec, template
    return None


def template_of_rule(rule: str) -> str:
    """A werkzeug rule (``/a/<x>/b``) as a path with one sample segment per variable."""
    return re.sub(r"<[^>]+>", "k9abcd1234567890", rule)


def same_shape(template: str, rule: str) -> bool:
    return re.sub(r"\{[^}]+\}", "*", template) == re.sub(r"<[^>]+>", "*", rule)


def gap(service: str, template: str, status: int) -> str | None:
    for key in ((service, template, str(status)), (service, "*", str(status)), ("*", "*", str(status))):
        if key in GAPS:
            return GAPS[key]
    return None


def problems(exchange: Exchange) -> list[str]:
    """What is wrong with one recorded answer by its file; [] when it fits or is outside them all."""
    found = operation_of(exchange.method, exchange.path)
    if found is None:
        return [] if exchange.path in OUTSIDE else [f"{exchange.method} {exchange.path}: in no official file"]
    service, spec, template = found
    allowed = [str(exchange.status)] if gap(service, template, exchange.status) else []
    where = f"{service} {exchange.method} {template} {exchange.status}"
    try:
        schema = spec.response_schema(exchange.method, exchange.path, exchange.status, also_allowed=allowed)
    except AssertionError as exc:
        return [f"{where}: {exc}"]
    if schema is None or not exchange.body:
        # A documented JSON body must be there (aims' empty 401 is documented in prose only).
        missing = schema is not None and not (service == "aims" and exchange.status == 401)
        return [f"{where}: empty body, the file documents one"] if missing else []
    try:
        body = json.loads(exchange.body)
    except ValueError:
        return [f"{where}: not JSON"]
    return [f"{where}: {error}" for error in spec.body_errors(schema, body)]


@contextmanager
def recording(sim: Any) -> Iterator[list[Exchange]]:
    """Every answer ``sim`` gives while the block runs (faults included), in order."""
    seen: list[Exchange] = []
    respond = sim._respond

    def record(request: Any, environ: dict[str, Any]) -> Any:
        response = respond(request, environ)
        seen.append(Exchange(request.method, request.path, response.status_code, response.get_data()))
        return response

    sim._respond = record
    try:
        yield seen
    finally:
        del sim._respond

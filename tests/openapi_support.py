"""Check HTTP answers against a vendor's OpenAPI 3.0 file: one place for what every vendor's
simulator-fidelity test needs.

``OpenApiSpec.load(path)`` reads the file; ``resolve`` inlines its ``$ref``s (local ones, and
``other.yaml#/X`` ones into files beside it, as Alert Logic's definitions split theirs);
``operation`` finds the operation a concrete method + path belongs to; ``response_schema`` gives
the documented body schema for a status (failing when the status is not documented at all);
``body_errors`` / ``assert_documented`` validate a body or a ``requests.Response``.

Validation is JSON Schema draft 4 (what OpenAPI 3.0 schemas are based on) with format checks
(``uuid``, ``date-time``, ...). OpenAPI 3.0's ``nullable: true`` is honoured by widening the
node's ``type`` to admit ``null``, since draft 4 has no such keyword.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import requests
import yaml
from jsonschema.exceptions import best_match

FORMATS = jsonschema.FormatChecker()
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _template_pattern(template: str) -> re.Pattern[str]:
    """``/a/{id}/b`` as a regex matching ``/a/<one segment>/b``, literal parts escaped."""
    literals = re.split(r"\{[^}]+\}", template)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in literals) + "$")


def _describe(error: jsonschema.ValidationError) -> str:
    # A oneOf/anyOf failure's own message repeats the whole body; the closest branch's error says
    # what is actually wrong.
    if error.context:
        error = best_match(error.context) or error
    where = "/".join(map(str, error.absolute_path)) or "<root>"
    return f"{where}: {error.message[:300]}"


class OpenApiSpec:
    """An OpenAPI document plus the base path its ``paths`` are relative to.

    ``base_path`` defaults to the path of the first ``servers`` URL (``/api/2.0`` for
    ``https://host/api/2.0``), so concrete request paths can be matched as they were sent.
    """

    def __init__(self, document: dict[str, Any], *, base_path: str | None = None,
                 directory: Path | None = None) -> None:
        self.document = document
        # Where ``other.yaml#/X`` refs are read from (the loaded file's folder), each file once.
        self.directory = directory
        self._files: dict[str, Any] = {}
        if base_path is None:
            servers = document.get("servers") or [{}]
            base_path = urlparse(servers[0].get("url", "")).path
        self.base_path = base_path.rstrip("/")
        # Most specific template first: fewest {parameters}, then most literal text, so that
        # ``/{account}/incidents_by_time`` wins over ``/{account}/{incident_id}`` for the same path.
        templates = sorted(document.get("paths", {}),
                           key=lambda t: (t.count("{"), -len(re.sub(r"\{[^}]+\}", "", t))))
        self._patterns = [(t, _template_pattern(t)) for t in templates]

    @classmethod
    def load(cls, path: Path, *, base_path: str | None = None) -> OpenApiSpec:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), base_path=base_path, directory=path.parent)

    # --- schemas ---------------------------------------------------------------------------------
    def resolve(self, node: Any, seen: tuple[str, ...] = (), *, _file: str = "") -> Any:
        """``node`` with every ``$ref`` inlined (recursively) and ``nullable`` applied.

        A ref is local (``#/...``, into the file the node came from) or names a file beside the
        loaded one (``schemas.yaml#/Asset``). Remote refs are not supported and a cycle is an error:
        the specs in use have neither, and inlining is what keeps a validator simple.
        """
        if isinstance(node, dict):
            if "$ref" in node:
                ref = node["$ref"]
                file_part, _, pointer = ref.partition("#")
                file_part = file_part or _file
                key = f"{file_part}#{pointer}"
                assert pointer.startswith("/") and key not in seen, f"unsupported or cyclic $ref {ref}"
                target: Any = self._file_document(file_part)
                for part in pointer[1:].split("/"):
                    target = target[part.replace("~1", "/").replace("~0", "~")]
                return self.resolve(target, seen + (key,), _file=file_part)
            resolved = {k: self.resolve(v, seen, _file=_file) for k, v in node.items()}
            if resolved.get("nullable") is True and isinstance(resolved.get("type"), str):
                resolved["type"] = [resolved["type"], "null"]
            return resolved
        if isinstance(node, list):
            return [self.resolve(v, seen, _file=_file) for v in node]
        return node

    def _file_document(self, name: str) -> Any:
        if not name:
            return self.document
        assert self.directory is not None and "/" not in name and "://" not in name, f"unsupported $ref file {name}"
        if name not in self._files:
            self._files[name] = yaml.safe_load((self.directory / name).read_text(encoding="utf-8"))
        return self._files[name]

    def validator(self, schema: dict[str, Any]) -> jsonschema.Draft4Validator:
        """A format-checking draft 4 validator for an (already resolved) schema."""
        return jsonschema.Draft4Validator(schema, format_checker=FORMATS)

    def body_errors(self, schema: dict[str, Any], body: Any, *, limit: int = 5) -> list[str]:
        """Readable validation errors of ``body`` against ``schema`` (resolved here), first ``limit``."""
        found = sorted(self.validator(self.resolve(schema)).iter_errors(body), key=lambda e: list(e.absolute_path))
        return [_describe(e) for e in found[:limit]]

    # --- operations ------------------------------------------------------------------------------
    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        """The path template and operation object a concrete request belongs to."""
        relative = path[len(self.base_path):] if self.base_path and path.startswith(self.base_path) else path
        for template, pattern in self._patterns:
            operations = self.document["paths"][template]
            if pattern.match(relative) and method.lower() in operations:
                return template, operations[method.lower()]
        raise AssertionError(f"{method} {relative} is not an operation of the OpenAPI file")

    def response_schema(self, method: str, path: str, status: int | str, *,
                        also_allowed: Iterable[str] = ()) -> dict[str, Any] | None:
        """The resolved JSON body schema documented for ``status``, or None when that answer has
        no JSON body. Fails when the status is not documented, unless it is in ``also_allowed``
        (statuses a test knows the spec leaves out; say why where you pass them)."""
        template, operation = self.operation(method, path)
        status = str(status)
        responses = operation.get("responses", {})
        if status not in responses:
            assert status in set(also_allowed), f"{method.upper()} {template} answered {status}, not documented"
            return None
        content = self.resolve(responses[status]).get("content", {}).get("application/json")
        return None if content is None else self.resolve(content["schema"])

    def assert_documented(self, response: requests.Response, *, also_allowed: Iterable[str] = ()) -> None:
        """The response's status is documented for its operation and its body fits the schema."""
        method, path = response.request.method or "GET", urlparse(response.url).path
        schema = self.response_schema(method, path, response.status_code, also_allowed=also_allowed)
        if schema is None:
            return
        errors = self.body_errors(schema, response.json())
        template, _ = self.operation(method, path)
        assert not errors, f"{method} {template} {response.status_code}: " + "; ".join(errors)

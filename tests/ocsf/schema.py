"""The official OCSF JSON Schema of the pinned version, from the ``ocsf-json-schema`` package (which ships
every OCSF release offline; it needs Python 3.10 or newer, so these tests skip on 3.9)."""
from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

import pytest

from soarpacks.integrations.common.ocsf import CLASS_UID, OCSF_VERSION

needs_ocsf_schema = pytest.mark.skipif(
    sys.version_info < (3, 10),
    reason="the OCSF JSON Schema comes from ocsf-json-schema, which needs Python 3.10 or newer")


@lru_cache(maxsize=None)
def export() -> dict[str, Any]:
    """OCSF's own schema export of the pinned version: classes, objects, enum captions."""
    from ocsf_json_schema import get_ocsf_schema
    return get_ocsf_schema(version=OCSF_VERSION)


@lru_cache(maxsize=None)
def finding_validator() -> Any:
    """A JSON Schema (2020-12) validator of Detection Finding, every object embedded, no profile."""
    import jsonschema
    from ocsf_json_schema import OcsfJsonSchemaEmbedded
    schema = OcsfJsonSchemaEmbedded(export())
    class_schema = schema.get_class_schema(schema.lookup_class_name_from_uid(CLASS_UID))
    jsonschema.Draft202012Validator.check_schema(class_schema)
    return jsonschema.Draft202012Validator(class_schema)


def schema_problems(record: dict[str, Any]) -> list[str]:
    """Every way a record breaks the official schema, one line each (empty: it validates)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}"
            for e in finding_validator().iter_errors(record)]


def caption(owner: str, attribute: str, value: int, *, kind: str = "classes") -> str:
    """OCSF's caption of an enum value (``caption("detection_finding", "severity_id", 3)`` is Medium)."""
    return export()[kind][owner]["attributes"][attribute]["enum"][str(value)]["caption"]

"""xsoar incident content: each fetching pack ships an incident type, its incident fields, a classifier, an
incoming mapper from the incident JSON to those fields and a layout showing them, wired together and named in
the integration's defaultclassifier / defaultmapperin; each item passes demisto-sdk's models and schemas."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from soarpacks.integrations.common.manifest import SCHEMAS_DIR

from .helpers import clean_env, run
from .test_xsoar import SDK_CHECK, _pack, _unified

KINDS = {"IncidentTypes/incidenttype-": "incidenttype", "IncidentFields/incidentfield-": "incidentfield",
         "Classifiers/classifier-mapper-incoming-": "mapper", "Classifiers/classifier-": "classifier",
         "Layouts/layoutscontainer-": "layoutscontainer"}


def _content(dist, integration) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for name, data in _pack(dist, integration).items():
        kind = next((k for prefix, k in KINDS.items() if name.startswith(prefix)), None)
        if kind:
            found.setdefault(kind, []).append(json.loads(data))
    return found


def _mapped_fields(mapper):
    ((incident_type, mapping),) = mapper["mapping"].items()
    return incident_type, mapping["internalMapping"]


def test_a_fetching_pack_ships_type_fields_classifier_mapper_and_layout_named_in_its_yaml(integration, dist):
    unified = _unified(dist, integration)
    content = _content(dist, integration)
    if not unified["script"]["isfetch"]:
        assert not content and "defaultmapperin" not in unified
        return
    (incident_type,), (classifier,), (mapper,), (layout,) = (content[k] for k in
                                                            ("incidenttype", "classifier", "mapper", "layoutscontainer"))
    fields = {f["name"]: f for f in content["incidentfield"]}
    assert unified["defaultclassifier"] == classifier["id"] and unified["defaultmapperin"] == mapper["id"]
    assert mapper["type"] == "mapping-incoming" and classifier["type"] == "classification"
    # get-mapping-fields answers under the integration's name: the type carries it, so the mapper editor offers it.
    assert incident_type["name"] == integration.manifest.name == classifier["defaultIncidentType"]
    assert incident_type["layout"] == layout["id"]
    mapped_type, mapped = _mapped_fields(mapper)
    assert mapped_type == incident_type["name"] and set(mapped) == set(fields)
    for field in fields.values():
        assert field["associatedTypes"] == [incident_type["name"]]
        assert field["name"].startswith(integration.manifest.name)   # demisto-sdk IF113: the pack's name first
    shown = {item["fieldId"] for tab in layout["detailsV2"]["tabs"] for section in tab.get("sections", [])
             for item in section.get("items", [])}
    assert {f["cliName"] for f in fields.values()} <= shown


def test_the_mapper_reads_fields_the_incident_json_has(integration, dist):
    content = _content(dist, integration)
    if "mapper" not in content:
        pytest.skip("does not fetch")
    schema = json.loads((Path(SCHEMAS_DIR) / "incident.schema.json").read_text())
    _, mapped = _mapped_fields(content["mapper"][0])
    for name, source in mapped.items():
        node = schema
        for part in source["simple"].split("."):
            if node.get("type") == "array":
                node = node["items"]
            assert part in node["properties"], f"{name}: {source['simple']} is not in the incident JSON"
            node = node["properties"][part]


def test_every_content_item_validates_against_demisto_sdk(integration, dist, sdk_python, tmp_path):
    files = {name: data for name, data in _pack(dist, integration).items() if name.endswith(".json")
             and any(name.startswith(prefix) for prefix in KINDS)}
    if not files:
        pytest.skip("does not fetch")
    for name, data in files.items():
        kind = next(k for prefix, k in KINDS.items() if name.startswith(prefix))
        path = tmp_path / Path(name).name
        path.write_bytes(data)
        done = run([str(sdk_python), str(SDK_CHECK), kind, str(path)], cwd=tmp_path, env=clean_env(tmp_path))
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["errors"] == [], name


def test_metadata_lists_the_incident_content(integration, dist):
    metadata = json.loads(_pack(dist, integration)["metadata.json"])
    content = _content(dist, integration)
    for kind, items in content.items():
        assert sorted(i["id"] for i in metadata["contentItems"][kind]) == sorted(i["id"] for i in items)

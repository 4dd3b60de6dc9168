"""The OpenAPI schema: served as valid JSON with every path, and committed as docs/openapi.json.

When the API changes, regenerate the committed copy with

    inscope export_openapi_schema --api inscope.api.api --output docs/openapi.json --indent 2

(or INSCOPE_WRITE_OPENAPI=1 with this test, which writes the same).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from ninja.responses import NinjaJSONEncoder

from inscope.api import api

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "openapi.json"
PATHS = {
    "/api/v1/requests": {"post"},
    "/api/v1/worklist": {"get"},
    "/api/v1/examinations/{exam_id}": {"get"},
    "/api/v1/examinations/{exam_id}/checklist": {"post"},
    "/api/v1/examinations/{exam_id}/justification": {"post"},
    "/api/v1/examinations/{exam_id}/evaluate": {"post"},
    "/api/v1/examinations/{exam_id}/start": {"post"},
    "/api/v1/examinations/{exam_id}/escalate": {"post"},
    "/api/v1/examinations/{exam_id}/complete": {"post"},
    "/api/v1/examinations/{exam_id}/findings": {"post"},
    "/api/v1/cases/evaluate": {"post"},
    "/api/v1/escalations": {"get"},
    "/api/v1/escalations/{escalation_id}/acknowledge": {"post"},
    "/api/v1/escalations/{escalation_id}/take-over": {"post"},
    "/api/v1/escalations/{escalation_id}/authorise": {"post"},
    "/api/v1/escalations/{escalation_id}/cancel": {"post"},
    "/api/v1/escalations/{escalation_id}/finding-action": {"post"},
    "/api/v1/interfaces/objects": {"get"},
    "/api/v1/interfaces/objects/{object_id}": {"get"},
    "/api/v1/interfaces/objects/{object_id}/reprocess": {"post"},
    "/api/v1/interfaces/messages": {"get"},
    "/api/v1/interfaces/messages/{message_id}/dealt-with": {"post"},
    "/api/v1/dose/studies": {"get"},
    "/api/v1/dose/studies/{study_id}": {"get"},
    "/api/v1/dose/audit": {"get"},
    "/api/v1/dose/saue-reviews": {"get"},
    "/api/v1/dose/saue-reviews/{review_id}/outcome": {"post"},
    "/api/v1/dose/drls": {"get"},
    "/api/v1/equipment/units": {"get"},
    "/api/v1/equipment/units/{unit_id}": {"get"},
    "/api/v1/equipment/units/{unit_id}/fault": {"post"},
    "/api/v1/equipment/units/{unit_id}/return-to-service": {"post"},
}


def _generated() -> str:
    return json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder, indent=2, ensure_ascii=False)


def test_the_schema_is_served_as_json_with_every_path():
    response = Client().get(reverse("api-1.0.0:openapi-json"))

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"] == {"title": "InScope API", "version": "1.0.0", "description": api.description}
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "SessionAuth"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"BearerToken": []}, {"SessionAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_the_docs_page_linked_from_every_page_works():
    response = Client().get(reverse("api-1.0.0:openapi-view"))

    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_committed_schema_matches_the_code():
    generated = _generated()
    if os.environ.get("INSCOPE_WRITE_OPENAPI"):
        COMMITTED.write_text(generated, encoding="utf-8")
    if not COMMITTED.exists():
        pytest.fail(f"{COMMITTED} is missing; regenerate it (see this module's docstring).")

    committed, current = json.loads(COMMITTED.read_text(encoding="utf-8")), json.loads(generated)
    if committed != current:
        pytest.fail("docs/openapi.json is out of date (differs in " + ", ".join(_differences(committed, current))
                    + "): regenerate it (see this module's docstring) and commit it.", pytrace=False)


def _differences(old: dict, new: dict) -> list[str]:
    """Name the paths, component schemas and other parts that differ, so the failure says where to look."""

    def parts(schema: dict) -> dict[str, object]:
        flat: dict[str, object] = {k: v for k, v in schema.items() if k not in ("paths", "components")}
        flat.update({f"path {k}": v for k, v in schema.get("paths", {}).items()})
        components = dict(schema.get("components", {}))
        flat.update({f"schema {k}": v for k, v in components.pop("schemas", {}).items()})
        flat.update({f"components {k}": v for k, v in components.items()})
        return flat

    a, b = parts(old), parts(new)
    return [key for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]

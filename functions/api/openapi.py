"""The OpenAPI document: Powertools describes the routes, the catalog describes each kind's body."""

from __future__ import annotations

from typing import Any

from lobby.catalog import Catalog, Kind
from lobby.fields import field_schema
from lobby.validation import CONSENT_FIELD, HONEYPOT_FIELD, LANG_FIELD

_PROBLEM = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}
_FIELD_ERRORS = {
    "type": "object",
    "required": ["message", "errors"],
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_RECEIPT = {
    "type": "object",
    "required": ["reference", "kind", "status", "received_at", "due_at", "status_url"],
    "properties": {
        "reference": {"type": "string", "pattern": r"^[0-9]{8}-[0-9]{4,6}$"},
        "kind": {"type": "string"},
        "status": {"type": "string"},
        "received_at": {"type": "string", "format": "date-time"},
        "due_at": _NULLABLE_TIME,
        "acknowledge_by": _NULLABLE_TIME,
        "resolve_by": _NULLABLE_TIME,
        "due_text": {"type": "string"},
        "status_url": {"type": "string"},
        "message": {"type": "string"},
        "next_steps": {"type": "array", "items": {"type": "string"}},
        "duplicate": {"type": "boolean"},
    },
}
_STATUS = {
    "type": "object",
    "required": ["reference", "kind", "status", "received_at", "due_at", "history"],
    "properties": {
        "reference": {"type": "string"},
        "kind": {"type": "string"},
        "kind_name": {"type": "string"},
        "status": {"type": "string"},
        "status_text": {"type": "string"},
        "received_at": {"type": "string", "format": "date-time"},
        "due_at": _NULLABLE_TIME,
        "due_text": {"type": "string"},
        "owner": {"type": "string"},
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["at", "text"],
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "at_text": {"type": "string"},
                    "text": {"type": "string"},
                },
            },
        },
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def kind_schema(catalog: Catalog, kind: Kind, json_body: bool = False) -> dict[str, Any]:
    """The body of one kind. In JSON an optional field (and the honeypot) may also be null: "not given"."""
    properties = {form_field.id: field_schema(catalog, form_field) for form_field in kind.fields}
    properties[CONSENT_FIELD] = {"type": "string", "enum": ["yes"], "description": "privacy consent"}
    properties[HONEYPOT_FIELD] = {"type": "string", "maxLength": 0, "description": "leave empty"}
    properties[LANG_FIELD] = {"type": "string", "enum": ["zh", "en"]}
    required = [form_field.id for form_field in kind.fields if form_field.required] + [CONSENT_FIELD]
    if json_body:
        for name, schema in properties.items():
            if name not in required and name != LANG_FIELD:
                properties[name] = _nullable(schema)
    return {
        "type": "object",
        "title": kind.name("en"),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema:
        return {**schema, "type": ["string", "null"], "enum": [*schema["enum"], None]}
    return {**schema, "type": ["string", "null"]}


def _submit_operation(kind_id: str, with_html: Any) -> dict[str, Any]:
    return {
        "operationId": f"submit-{kind_id}",
        "summary": f"File a {kind_id} request",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{kind_id}JsonRequest"}},
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": f"#/components/schemas/{kind_id}Request"}
                },
            },
        },
        "responses": {
            "201": with_html(_json({"$ref": "#/components/schemas/Receipt"}, "Stored")),
            "200": with_html(_json({"$ref": "#/components/schemas/Receipt"}, "Already stored")),
            "400": with_html(_json(_PROBLEM, "Unreadable body")),
            "413": with_html(_json(_PROBLEM, "Body over 16 KB")),
            "415": with_html(_json(_PROBLEM, "Neither JSON nor form-encoded")),
            "422": with_html(_json(_FIELD_ERRORS, "Fields in error, one message each")),
            "503": with_html(_json(_PROBLEM, "Busy; nothing stored; try again")),
        },
    }


def openapi_document(catalog: Catalog) -> dict[str, Any]:
    kinds = sorted(catalog.kinds)
    bodies: dict[str, Any] = {}
    for kind_id in kinds:
        bodies[f"{kind_id}Request"] = kind_schema(catalog, catalog.kinds[kind_id])
        bodies[f"{kind_id}JsonRequest"] = kind_schema(catalog, catalog.kinds[kind_id], json_body=True)
    status_body = {
        "type": "object",
        "required": ["reference", "contact"],
        "properties": {
            "reference": {"type": "string", "maxLength": 20},
            "contact": {"type": "string", "maxLength": 120},
            "lang": {"type": "string", "enum": ["zh", "en"]},
        },
        "additionalProperties": False,
    }
    html = {"text/html": {"schema": {"type": "string"}}}

    def with_html(response: dict[str, Any]) -> dict[str, Any]:
        return {**response, "content": {**response["content"], **html}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Lobby — {catalog.property.name('en')}",
            "version": catalog.catalog_version,
            "description": "File a request with the property office and follow it. Bodies are JSON or "
            "form-encoded with the same field names; form posts get HTML pages.",
        },
        "paths": {
            **{
                f"/api/requests/{kind_id}": {"post": _submit_operation(kind_id, with_html)}
                for kind_id in kinds
            },
            "/api/status": {
                "post": {
                    "operationId": "lookupStatus",
                    "summary": "The public status of a request, for its reference and the contact given",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": status_body},
                            "application/x-www-form-urlencoded": {"schema": status_body},
                        },
                    },
                    "responses": {
                        "200": with_html(_json({"$ref": "#/components/schemas/Status"}, "Found")),
                        "400": with_html(_json(_PROBLEM, "Unreadable body")),
                        "404": with_html(_json(_PROBLEM, "No request with that reference and contact")),
                        "413": with_html(_json(_PROBLEM, "Body over 16 KB")),
                        "415": with_html(_json(_PROBLEM, "Neither JSON nor form-encoded")),
                    },
                }
            },
            "/api/requests/{reference}": {
                "get": {
                    "operationId": "getStatus",
                    "summary": "The public status (same answer as for an unknown reference unless contact matches)",
                    "parameters": [
                        {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "contact", "in": "query", "schema": {"type": "string", "maxLength": 120}},
                        {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["zh", "en"]}},
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Status"}, "Found"),
                        "404": _json(_PROBLEM, "No request with that reference and contact"),
                        "422": _json(_FIELD_ERRORS, "Invalid query"),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
                }
            },
        },
        "components": {"schemas": {**bodies, "Receipt": _RECEIPT, "Status": _STATUS}},
    }

"""The OpenAPI document: Powertools describes the routes, the catalog describes each kind's body."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct
from msgspec.json import schema_components

from lobby.catalog import Catalog, Kind
from lobby.fields import field_schema
from lobby.validation import CONSENT_FIELD, HONEYPOT_FIELD, LANG_FIELD, STEP_FIELD

# The answers' shapes, declared once as msgspec Structs; msgspec.json.schema_components writes their
# JSON Schema. A field with a default may be left out of an answer.
Instant = Annotated[datetime, Meta(extra_json_schema={"format": "date-time"})]
Moment = Instant | None


class Problem(Struct):
    message: str


class FieldError(Struct):
    field: str
    message: str


class FieldErrors(Struct):
    message: str
    errors: list[FieldError]


class Receipt(Struct):
    reference: Annotated[str, Meta(pattern=r"^[0-9]{8}-[0-9]{4,6}$")]
    kind: str
    status: str
    received_at: Instant
    due_at: Moment
    status_url: str
    acknowledge_by: Moment = None
    resolve_by: Moment = None
    due_text: str = ""
    message: str = ""
    next_steps: list[str] = []
    duplicate: bool = False


class CheckAnswer(Struct):
    field: str
    label: str
    value: str


class Check(Struct):
    """The answers to check before sending (``step=check``): nothing was stored."""

    step: str
    answers: list[CheckAnswer]
    check_html: str


class HistoryEntry(Struct):
    at: Instant
    text: str
    at_text: str = ""


class Status(Struct):
    reference: str
    kind: str
    status: str
    received_at: Instant
    due_at: Moment
    history: list[HistoryEntry]
    kind_name: str = ""
    status_text: str = ""
    due_text: str = ""
    owner: str = ""


class StatusQuery(Struct, forbid_unknown_fields=True):
    reference: Annotated[str, Meta(max_length=20)]
    contact: Annotated[str, Meta(max_length=120)]
    lang: Literal["zh", "en"] = "zh"


_REF = "#/components/schemas/{name}"
_PROBLEM = {"$ref": _REF.format(name="Problem")}
_FIELD_ERRORS = {"$ref": _REF.format(name="FieldErrors")}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def kind_schema(catalog: Catalog, kind: Kind, json_body: bool = False) -> dict[str, Any]:
    """The body of one kind. In JSON an optional field (and the honeypot) may also be null: "not given"."""
    properties = {form_field.id: field_schema(catalog, form_field) for form_field in kind.fields}
    properties[CONSENT_FIELD] = {"type": "string", "enum": ["yes"], "description": "privacy consent"}
    properties[HONEYPOT_FIELD] = {
        "type": "string",
        "description": "hidden from people; a request that fills it is answered but never stored",
    }
    properties[LANG_FIELD] = {"type": "string", "enum": ["zh", "en"]}
    properties[STEP_FIELD] = {
        "type": "string",
        "description": "check your answers: 'check' validates and answers the answers to check (200), storing "
        "nothing; 'send' or none stores; any other value is shown to check; a form's 'change.<field>' "
        "answers the filled form at that field",
    }
    required = [form_field.id for form_field in kind.fields if form_field.required] + [CONSENT_FIELD]
    if json_body:
        for name, schema in properties.items():
            if name not in required and name != LANG_FIELD:
                properties[name] = _nullable(schema)
        # A bot may put any JSON value in the honeypot, and any value is answered as accepted (and
        # never stored): the document says so rather than promising a refusal the API never gives.
        properties[HONEYPOT_FIELD] = {"description": properties[HONEYPOT_FIELD]["description"]}
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


def _retry(response: dict[str, Any]) -> dict[str, Any]:
    """A refusal that says when to try again."""
    seconds = {"description": "Seconds to wait", "schema": {"type": "string", "pattern": "^[0-9]+$"}}
    return {**response, "headers": {"Retry-After": {**seconds, "required": True}}}


_TOKEN = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "a signed link from an e-mail; any other value is answered 404",
    "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", "maxLength": 1000},
}
_PAGE = {"text/html": {"schema": {"type": "string"}}}
# What staff and residents send from the pages behind their links (api/action_pages.py).
_LINK_FORM = {
    "type": "object",
    "properties": {
        "actor": {"type": "string", "maxLength": 80},
        "note": {"type": "string", "maxLength": 1000},
        "visibility": {"type": "string", "enum": ["internal", "public"]},
        "size": {"type": "string"},
        "office": {"type": "string"},
        "quality": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "effect": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "attitude": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "satisfied": {"type": "string", "enum": ["yes", "no"]},
        "comments": {"type": "string", "maxLength": 1000},
    },
}


def _page(description: str) -> dict[str, Any]:
    return {"description": description, "content": _PAGE}


def _refusal(description: str) -> dict[str, Any]:
    """A refusal: a page for a browser, JSON for any other client (as every route answers them)."""
    return {"description": description, "content": {**_PAGE, "application/json": {"schema": _PROBLEM}}}


_SPOT_CHECK_FORM = {
    "type": "object",
    "properties": {
        "actor": {"type": "string", "maxLength": 80},
        "reached": {"type": "string", "enum": ["yes", "no"]},
        "satisfied": {"type": "string", "enum": ["yes", "no"]},
        "note": {"type": "string", "maxLength": 1000},
    },
}


def _link_operation(
    operation_id: str, summary: str, post: bool, form: dict[str, Any] = _LINK_FORM
) -> dict[str, Any]:
    responses = {
        "200": _page("The page: confirm, rate, or what was done"),
        "404": _refusal("Not a genuine link for this route"),
        "409": _refusal("The request's state does not allow it, or it changed meanwhile"),
        "410": _refusal("The link expired or was used"),
        "503": _retry(_refusal("Failing; nothing changed; try again")),
    }
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["signed-link"],
        "parameters": [_TOKEN],
        "responses": responses,
    }
    if post:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
        responses.update(
            {
                "400": _refusal("Unreadable body"),
                "413": _refusal("Body over 16 KB"),
                "415": _refusal("Not form-encoded"),
                "422": _page("A question left unanswered: the form again"),
            }
        )
    return operation


def _spot_check(operation: dict[str, Any]) -> dict[str, Any]:
    """A spot check's link answers 403 when its office's check is not drawn for the request."""
    operation["responses"]["403"] = _refusal("No spot check of this office is drawn for the request")
    return operation


def _link_paths() -> dict[str, Any]:
    return {
        "/api/actions/{token}": {
            "get": _link_operation("showAction", "Staff: the confirmation page (changes nothing)", False),
            "post": _link_operation("takeAction", "Staff: take the link's action, once", True),
        },
        "/api/rate/{token}": {
            "get": _link_operation("showRating", "Resident: the rating questions", False),
            "post": _link_operation("sendRating", "Resident: send the rating, once", True),
        },
        "/api/spot-checks/{token}": {
            "get": _spot_check(_link_operation("showSpotCheck", "Company: the spot check's form", False)),
            "post": _spot_check(
                _link_operation(
                    "recordSpotCheck", "Company: record the spot check, once", True, _SPOT_CHECK_FORM
                )
            ),
        },
        "/api/s/{token}": {
            "get": _link_operation(
                "openTextLink",
                "Resident: the request's own page (status, timeline, its steps), or the rating",
                False,
            ),
        },
    }


def _resident_paths() -> dict[str, Any]:
    """The steps on the resident's own request page (api/request_page.py): form posts from the site's own
    page, carrying the page's signed token in the body."""

    def operation(operation_id: str, summary: str, field: str) -> dict[str, Any]:
        text = {"type": "string"}
        form = {
            "type": "object",
            "required": ["token", field],
            "properties": {"token": text, "lang": {"type": "string", "enum": ["zh", "en"]}, field: text},
        }
        return {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["signed-link"],
            "requestBody": {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": form}},
            },
            "responses": {
                "200": _page("Done: what was recorded, when, and the way back to the request"),
                "400": _refusal("Unreadable body"),
                "403": _refusal("Not posted from the site's own page (Origin, else Referer)"),
                "404": _refusal("Not a genuine token of a request's page"),
                "409": _refusal("The request's state does not allow it, or it changed meanwhile"),
                "410": _refusal("The token expired"),
                "413": _page("Over the body's limit: the request's page again, nothing stored"),
                "415": _refusal("Not form-encoded"),
                "422": _page("The text missing or too long: the request's page again, nothing stored"),
                "503": _retry(_refusal("Failing; nothing changed; try again")),
            },
        }

    return {
        "/api/resident/information": {
            "post": operation(
                "addInformation", "Resident: add information to the request's history", "information"
            )
        },
        "/api/resident/cancel": {
            "post": operation("cancelRequest", "Resident: cancel the request, with a reason", "reason")
        },
    }


def _photo_paths() -> dict[str, Any]:
    """The photo routes behind a request's signed link (api/photos.py)."""
    common = {
        "404": _refusal("Not a genuine photo link, or the request takes no photos"),
        "409": _refusal("The request is closed"),
        "410": _refusal("The link expired"),
        "503": _retry(_refusal("Failing; nothing changed; try again")),
    }
    sent = {
        "400": _refusal("Unreadable body"),
        "413": _refusal("A photo or the whole body over its limit"),
        "415": _refusal("Not the body this route reads, or not an image type it takes"),
        "422": _refusal("No photo, or more than the request may have"),
    }
    files = {
        "type": "object",
        "required": ["files"],
        "properties": {
            "lang": {"type": "string"},
            "files": {
                "type": "array",
                "maxItems": 5,
                "items": {
                    "type": "object",
                    "properties": {"type": {"type": "string"}, "size": {"type": "integer", "minimum": 1}},
                },
            },
        },
    }
    form = {"type": "object", "properties": {"lang": {"type": "string"}, "photo": {"type": "string"}}}

    def operation(operation_id: str, summary: str, responses: dict[str, Any]) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["signed-link"],
            "parameters": [_TOKEN],
            "responses": {**common, **responses},
        }

    upload = operation(
        "signPhotoUploads",
        "Resident: one presigned POST per photo, straight to the bucket",
        {"200": _json({"type": "object"}, "The uploads: slot, url, fields"), **sent},
    )
    upload["requestBody"] = {"required": True, "content": {"application/json": {"schema": files}}}
    by_form = operation(
        "sendPhotosByForm", "Resident: photos sent as a multipart form", {"202": _page("Received"), **sent}
    )
    by_form["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": form}}}
    return {
        "/api/photos/{token}/uploads": {"post": upload},
        "/api/photos/{token}": {
            "get": operation("showPhotoForm", "Resident: the page to add photos", {"200": _page("The form")}),
            "post": by_form,
        },
        "/api/photo/{token}": {
            "get": operation(
                "openPhoto",
                "Staff: one photo, through a short-lived presigned address",
                {"303": {"description": "To the photo"}},
            )
        },
    }


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
            "200": with_html(
                _json(
                    {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Receipt"},
                            {"$ref": "#/components/schemas/Check"},
                        ]
                    },
                    "Already stored; or, asked to check (step), the answers to check, nothing stored",
                )
            ),
            "400": with_html(_json(_PROBLEM, "Unreadable body")),
            "413": with_html(_json(_PROBLEM, "Body over 16 KB")),
            "415": with_html(_json(_PROBLEM, "Neither JSON nor form-encoded")),
            "422": with_html(_json(_FIELD_ERRORS, "Fields in error, one message each")),
            "429": with_html(
                _retry(
                    _json(_PROBLEM, "Too many requests from this client, or receipts to this address today")
                )
            ),
            "503": with_html(_retry(_json(_PROBLEM, "Busy or failing; nothing stored; try again"))),
        },
    }


def openapi_document(catalog: Catalog) -> dict[str, Any]:
    kinds = sorted(catalog.kinds)
    bodies: dict[str, Any] = {}
    for kind_id in kinds:
        bodies[f"{kind_id}Request"] = kind_schema(catalog, catalog.kinds[kind_id])
        bodies[f"{kind_id}JsonRequest"] = kind_schema(catalog, catalog.kinds[kind_id], json_body=True)
    (status_body, *_), answers = schema_components(
        (StatusQuery, Problem, FieldErrors, Receipt, Check, Status), ref_template=_REF
    )
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
                        "503": with_html(_retry(_json(_PROBLEM, "Failing; try again"))),
                    },
                }
            },
            **_link_paths(),
            **_resident_paths(),
            **_photo_paths(),
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
                }
            },
        },
        "components": {"schemas": {**bodies, **answers}},
    }

"""Check your answers before sending, through the API: without JavaScript a page of hidden answers with a
change button per answer and a send button; with it, the same block in JSON. Nothing is stored, sent or
counted until the resident presses send, and nothing personal is ever put in a URL."""

from __future__ import annotations

import re
from html import unescape

from lobby.catalog import load_catalog
from tests.integration.conftest import Aws, post_form, post_json, repair_fields

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CHANGE = re.compile(
    r'<button type="submit" class="lobby-check__change" name="step" value="change\.([a-z_]+)" '
    r'formaction="([^"]+)"'
)


def _hidden(html: str) -> dict[str, str]:
    block = html[html.index('<form class="lobby-check__form"') :]
    return {name: unescape(value) for name, value in HIDDEN.findall(block)}


def test_without_javascript_the_answers_are_shown_to_check_and_nothing_is_stored(aws: Aws) -> None:
    fields = repair_fields(access="工作日晚上 7 点以后在家")
    page = post_form("/api/requests/repair", {**fields, "step": "check"})

    assert page.status == 200
    text = unescape(page.body)
    assert "提交前请核对您填写的内容" in text
    # Each answer under its label from the catalog, a choice in words; the contact details too.
    repair = load_catalog().kinds["repair"]
    for form_field in repair.fields:
        if fields.get(form_field.id):
            assert form_field.label("zh") in text
    for shown in (
        "给排水",
        fields["description"],
        fields["phone"],
        fields["name"],
        "工作日晚上 7 点以后在家",
    ):
        assert shown in text
    # Every answer rides along, hidden, to be sent or changed; a change button per answer, none in a URL.
    assert _hidden(page.body) == {**fields, "lang": "zh"}
    changes = dict(CHANGE.findall(page.body))
    assert set(changes) == {
        name for name, value in fields.items() if value and name in {f.id for f in repair.fields}
    }
    assert changes["description"] == "/api/requests/repair#f-description"
    assert aws.requests() == [] and aws.sent() == []


def test_change_returns_the_filled_form_at_the_field_and_send_stores_it_once(aws: Aws) -> None:
    fields = repair_fields()
    carried = _hidden(post_form("/api/requests/repair", {**fields, "step": "check"}).body)

    change = post_form("/api/requests/repair", {**carried, "step": "change.description"})
    assert change.status == 200 and aws.requests() == []
    form = unescape(change.body)
    assert re.search(r'<textarea [^>]*autofocus[^>]*id="f-description"', change.body) or re.search(
        r'<textarea [^>]*id="f-description"[^>]*autofocus', change.body
    )
    assert fields["description"] in form and f'value="{fields["phone"]}"' in form
    assert '<input type="hidden" name="step" value="check">' in change.body  # the form checks again

    sent = post_form("/api/requests/repair", {**carried, "step": "send"})
    assert sent.status == 201
    assert len(aws.requests()) == 1


def test_a_check_with_a_problem_shows_the_form_with_its_errors_and_stores_nothing(aws: Aws) -> None:
    page = post_form("/api/requests/repair", {**repair_fields(phone="12"), "step": "check"})

    assert page.status == 422
    assert 'href="#f-phone"' in page.body and 'class="lobby-check"' not in page.body
    assert aws.requests() == []


def test_with_javascript_the_check_is_the_same_block_in_json(aws: Aws) -> None:
    fields = repair_fields()
    answer = post_json("/api/requests/repair", {**fields, "step": "check"})
    page = post_form("/api/requests/repair", {**fields, "step": "check"})

    assert answer.status == 200
    body = answer.json()
    assert body["step"] == "check"
    assert {row["field"]: row["value"] for row in body["answers"]}["category"].startswith("给排水")
    assert _words(body["check_html"]) in _words(page.body)
    assert aws.requests() == []


def test_a_step_no_form_sends_is_only_shown_never_stored(aws: Aws) -> None:
    for step in ("change.description", "later", "sendnow"):
        answer = post_json("/api/requests/repair", {**repair_fields(), "step": step})
        assert answer.status == 200 and answer.json()["step"] == "check"
    assert aws.requests() == []


def test_the_form_asks_to_check_first(aws: Aws) -> None:
    from views.forms import render_form

    html = render_form(load_catalog(), "repair", "en")
    assert '<input type="hidden" name="step" value="check">' in html


def _words(html: str) -> str:
    return "".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_a_step_that_is_not_text_is_refused_and_nothing_is_stored(aws: Aws) -> None:
    answer = post_json("/api/requests/repair", {**repair_fields(), "step": 1})

    assert answer.status == 422
    assert answer.json()["errors"] == [{"field": "step", "message": "请回到表单页面重新提交"}]
    assert aws.requests() == []

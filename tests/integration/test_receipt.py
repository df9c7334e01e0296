"""One receipt, with and without JavaScript: it echoes what was sent, gives the promise and the next
steps, and links to the request's own page through a signed link with nothing personal in it."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

from tests.integration.conftest import Aws, call_api, http_event, post_form, post_json, repair_fields

LINK = re.compile(r'href="(?:https?://[^/"]+)?(/api/s/[A-Za-z0-9_-]{16})"')


def _receipt(html: str) -> str:
    start = html.index('<div class="lobby-receipt"')
    return html[start : html.index('</div>\n<p class="lobby-page__back"', start)]


def test_the_receipt_echoes_what_was_sent_and_links_to_the_request(aws: Aws) -> None:
    fields = repair_fields(access="工作日晚上 7 点以后在家")
    response = post_form("/api/requests/repair", fields)

    assert response.status == 201
    page = unescape(response.body)
    for sent in (fields["description"], "工作日晚上 7 点以后在家", "给排水"):
        assert sent in page
    assert fields["phone"] not in page and fields["email"] not in response.body.split("lobby-next-steps")[0]
    [link] = LINK.findall(response.body)
    for personal in (fields["phone"], quote(fields["name"]), fields["email"]):
        assert personal not in link
    [stored] = aws.requests()
    reference = stored["reference"]["S"]

    opened = call_api(http_event("GET", link))

    assert opened.status == 200
    assert reference in opened.body and "已收到" in unescape(opened.body)


def test_the_script_gets_the_same_receipt_as_the_page(aws: Aws) -> None:
    fields = repair_fields()
    as_page = post_form("/api/requests/repair", fields)
    as_json = post_json("/api/requests/repair", fields)  # the same submission again: the same request

    assert as_json.status == 200
    body = as_json.json()
    # The second post repeated the first: the same request, and a notice saying so.
    notice = re.search(r'<p class="lobby-notice">[^<]*</p>', body["receipt_html"])
    assert notice is not None
    script_receipt = body["receipt_html"].replace(notice[0], "")
    assert _words(script_receipt) == _words(_receipt(as_page.body))
    assert LINK.findall(script_receipt) == LINK.findall(as_page.body)
    assert body["request_url"].endswith(LINK.findall(as_page.body)[0])


def _words(html: str) -> str:
    """What a reader sees: the text, without tags or white space."""
    return "".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_the_resident_s_e_mail_links_to_their_request(aws: Aws) -> None:
    fields = repair_fields()
    assert post_form("/api/requests/repair", fields).status == 201
    assert aws.notify_batch()["batchItemFailures"] == []
    [mail] = [mail for mail in aws.sent() if fields["email"] in mail.to]
    [link] = LINK.findall(mail.html)
    [stored] = aws.requests()

    opened = call_api(http_event("GET", link))

    assert opened.status == 200 and stored["reference"]["S"] in opened.body
    assert "打开您的诉求" in unescape(mail.html)

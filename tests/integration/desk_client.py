"""A staff member's browser for the desk, against the API handler in moto: cookies, origin, CSRF token."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlparse

import boto3
import pytest

from tests.integration.conftest import REGION, Aws, LambdaContext, http_event

ROSTER_PARAMETER = "/lobby-test/staff-roster"
SITE = "https://lobby.example"
ROSTER = [
    {"name": "李明", "email": "li.ming@harbour-view.example", "office": "service-centre", "role": "clerk"},
    {"name": "王强", "email": "wang.qiang@harbour-view.example", "office": "engineering", "role": "engineer"},
    {"name": "赵刚", "email": "zhao.gang@harbour-view.example", "office": "engineering", "role": "engineer"},
    {"name": "孙伟", "email": "sun.wei@harbour-view.example", "office": "security", "role": "staff"},
    {"name": "刘洋", "email": "liu.yang@harbour-view.example", "office": "management", "role": "director"},
    {"name": "吴敏", "email": "wu.min@harbour-view.example", "office": "quality", "role": "quality"},
    {
        "name": "郑华",
        "email": "zheng.hua@harbour-view.example",
        "office": "general-manager",
        "role": "general-manager",
    },
]
EMAIL = {person["name"]: person["email"] for person in ROSTER}
SIGN_IN_LINK = re.compile(r'href="https://lobby\.example(/desk/sign-in/[^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: str

    @property
    def text(self) -> str:
        return unescape(self.body)


@dataclass
class Browser:
    """Keeps the cookies the desk sets and sends them back, with the site's Origin on every POST."""

    lang: str = "zh"
    jar: dict[str, str] = field(default_factory=dict)
    origin: str | None = SITE

    def _call(self, event: dict[str, Any]) -> Answer:
        from api.app import lambda_handler

        if self.jar:
            event["cookies"] = [f"{name}={value}" for name, value in self.jar.items()]
        event["headers"]["accept-language"] = "en-GB,en" if self.lang == "en" else "zh-CN,zh"
        result = lambda_handler(event, LambdaContext())
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        cookies = list(result.get("cookies") or [])
        for cookie in cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return Answer(result["statusCode"], result.get("headers") or {}, cookies, body)

    def get(self, path: str, query: dict[str, str] | None = None) -> Answer:
        return self._call(http_event("GET", path, query=query))

    def post(self, path: str, fields: dict[str, str], *, headers: dict[str, str] | None = None) -> Answer:
        sent = {"origin": self.origin} if self.origin else {}
        sent.update(headers or {})
        event = http_event(
            "POST",
            path,
            body=urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            headers=sent,
        )
        return self._call(event)

    def csrf(self, page: Answer) -> str:
        match = CSRF.search(page.body)
        assert match, page.body
        return unescape(match.group(1))


def install_roster(monkeypatch: pytest.MonkeyPatch, roster: list[dict[str, str]] | None = None) -> None:
    monkeypatch.setenv("STAFF_ROSTER_PARAMETER", ROSTER_PARAMETER)
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=ROSTER_PARAMETER,
        Value=json.dumps(roster if roster is not None else ROSTER, ensure_ascii=False),
        Type="String",
        Overwrite=True,
    )
    from lobby import links

    links.secret_store.cache_clear()
    from lobby import settings

    settings.get_settings.cache_clear()


def sign_in_link(aws: Aws, email: str) -> str:
    """The path of the newest sign-in link mailed to ``email`` (the outbox delivered first)."""
    aws.notify_batch()
    mails = [mail for mail in aws.sent() if mail.to == [email]]
    assert mails, f"no sign-in mail to {email}"
    match = SIGN_IN_LINK.search(mails[-1].html)
    assert match, mails[-1].html
    return urlparse(unescape(match.group(1))).path


def signed_in(aws: Aws, name: str, lang: str = "zh") -> Browser:
    browser = Browser(lang=lang)
    assert browser.post("/desk/sign-in", {"email": EMAIL[name]}).status == 200
    answer = browser.post(sign_in_link(aws, EMAIL[name]), {})
    assert answer.status == 303 and answer.headers["Location"] == "/desk/", answer.body
    return browser

"""What the browser tests do on Lobby's pages, and what they read back from the running stack."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import boto3
from playwright.sync_api import Page

from tests.e2e.stack import Stack

REFERENCE = re.compile(r"(?<!\d)\d{8}-\d{4}(?!\d)")
ENGINEERING = "engineering@lobby.local"  # infra/environments/local.yaml, the repair office


def _digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


@dataclass
class Resident:
    """Someone filing a repair; every value is fresh, so no two tests' requests look alike."""

    name: str = "王小明"
    phone: str = field(default_factory=lambda: "139" + _digits(8))
    email: str = ""
    building: str = "3栋"
    unit: str = field(default_factory=lambda: _digits(4))
    description: str = field(default_factory=lambda: f"厨房水龙头一直滴水，编号 {secrets.token_hex(4)}。")

    def repair_fields(self, lang: str = "zh") -> dict[str, str]:
        fields = {
            "category": "water",
            "size": "minor",
            "name": self.name,
            "phone": self.phone,
            "building": self.building,
            "unit": self.unit,
            "description": self.description,
            "consent": "yes",
            "website": "",
            "lang": lang,
        }
        if self.email:
            fields["email"] = self.email
        return fields


def fill_repair_form(page: Page, resident: Resident) -> None:
    """Fill the repair form the way a resident does: by the labelled controls (ids f-<field>)."""
    form = page.locator("form.lobby-form")
    form.locator("#f-category").select_option("water")
    form.locator("input[name=size][value=minor]").check()
    form.locator("#f-name").fill(resident.name)
    form.locator("#f-phone").fill(resident.phone)
    if resident.email:
        form.locator("#f-email").fill(resident.email)
    form.locator("#f-building").fill(resident.building)
    form.locator("#f-unit").fill(resident.unit)
    form.locator("#f-description").fill(resident.description)
    form.locator("#f-consent").check()


def submit(page: Page, form_selector: str = "form.lobby-form") -> None:
    """Press the form's button; a request form then shows the answers to check (with or without
    JavaScript), and the resident sends them. A form with problems shows its error summary instead."""
    page.locator(form_selector).locator("button[type=submit]").click()
    if form_selector != "form.lobby-form":
        return
    checked = page.locator(".lobby-check, .lobby-error-summary").first
    checked.wait_for()
    if page.locator(".lobby-check").count():
        send_checked(page)


def send_checked(page: Page) -> None:
    """On the check-your-answers block, press send."""
    page.locator(".lobby-check__send").click()


def reference_in(text: str) -> str:
    match = REFERENCE.search(text)
    assert match, f"no reference number in: {text!r}"
    return match.group(0)


def submit_json(stack: Stack, kind: str, fields: dict[str, str]) -> dict[str, Any]:
    answer = stack.post_json(f"/api/requests/{kind}", fields)
    assert answer.status == 201, answer.text
    return dict(answer.json())


def status_json(stack: Stack, reference: str, contact: str, lang: str = "zh") -> dict[str, Any]:
    answer = stack.post_json("/api/status", {"reference": reference, "contact": contact, "lang": lang})
    assert answer.status == 200, answer.text
    return dict(answer.json())


def stored_request_count(stack: Stack) -> int:
    """Request records in the stack's table (read through its embedded AWS)."""
    client = boto3.client(
        "dynamodb", endpoint_url=stack.health["aws_endpoint"], region_name=stack.health["region"]
    )
    pages = client.get_paginator("scan").paginate(
        TableName=stack.health["table"],
        FilterExpression="SK = :request",
        ExpressionAttributeValues={":request": {"S": "REQUEST"}},
    )
    return sum(page["Count"] for page in pages)


def office_mail_for(reference: str, office: str = ENGINEERING) -> Any:
    return lambda mail: office in mail["to"] and reference in mail["subject"]


def drain(stack: Stack) -> str:
    """Submit a request and wait for its office e-mail: every earlier e-mail has been sent by then.

    The stream is delivered in order, one batch at a time, so this is a barrier,
    not a guess at how long the mail takes.
    """
    reference = submit_json(stack, "repair", Resident(name="Barrier").repair_fields())["reference"]
    stack.wait_for_mail(office_mail_for(reference), timeout=10)
    return str(reference)

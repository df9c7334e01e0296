"""The company's spot checks of follow-ups (seed 000 §5.5) as work: drawn when a request is resolved,
e-mailed to the office that drew it with a signed link, recorded once (by the link or at the desk), shown
in the history and counted in the monthly report; every bad input refused in words, changing nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from html import unescape
from typing import Any

import pytest

from tests.integration.conftest import (
    OFFICE_EMAILS,
    SIGNING_SECRET,
    Aws,
    LambdaContext,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)
from tests.integration.desk_client import Browser, install_roster, signed_in

LINK = re.compile(r'href="https://lobby\.example(/api/spot-checks/[^"]+)"')
FILED = "2026-11-10T10:00:00+08:00"  # a Tuesday


@pytest.fixture
def checked(aws: Aws, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """Every complaint drawn for the quality department's spot check (a rate of 100 %, to test)."""
    import msgspec

    from lobby.catalog import SOURCE_YAML, load_catalog, parse_catalog, read_document

    document = read_document(SOURCE_YAML)
    document["kinds"]["complaint"]["follow_up"]["spot_checks"] = {"quality": 100}
    compiled = tmp_path / "catalog.json"
    compiled.write_bytes(msgspec.json.encode(parse_catalog(document), enc_hook=str))
    monkeypatch.setenv("LOBBY_CATALOG", str(compiled))
    load_catalog.cache_clear()
    install_roster(monkeypatch)
    yield aws
    load_catalog.cache_clear()


def stored(reference: str) -> Any:
    from lobby.catalog import load_catalog
    from lobby.service import open_store
    from lobby.settings import get_settings

    store = open_store(load_catalog(), get_settings())
    return store.get_request(reference), store.history(reference)


def resolved_complaint(aws: Aws, clock_at: Callable[[str], datetime]) -> str:
    """A complaint filed, taken and resolved at the service centre's desk; its e-mails delivered."""
    clock_at(FILED)
    fields = repair_fields(category="equipment")
    del fields["size"]
    reference = str(post_json("/api/requests/complaint", fields).json()["reference"])
    clerk = signed_in(aws, "李明")
    for action, extra in (("acknowledge", {}), ("resolve", {"note": "已更换楼道灯。"})):
        card = clerk.get(f"/desk/requests/{reference}")
        answer = clerk.post(
            f"/desk/requests/{reference}", {"csrf": clerk.csrf(card), "action": action, **extra}
        )
        assert answer.status == 303, answer.text
    aws.notify_batch()
    return reference


def assignment_link(aws: Aws, reference: str) -> str:
    [mail] = [
        mail
        for mail in aws.sent()
        if mail.to == [OFFICE_EMAILS["quality"]]
        and reference in mail.subject
        and "公司抽查回访" in mail.subject
    ]
    match = LINK.search(mail.html)
    assert match, mail.html
    return unescape(match.group(1))


def nothing_recorded(reference: str) -> None:
    request, history = stored(reference)
    assert request.spot_check_results == {}
    assert not [event for event in history if event.type == "spot_check"]


def test_a_drawn_check_is_mailed_to_its_office_recorded_by_its_link_shown_and_counted(
    checked: Aws, clock_at: Callable[[str], datetime]
) -> None:
    reference = resolved_complaint(checked, clock_at)
    request, _ = stored(reference)
    assert request.spot_checks == ("quality",)
    assert request.spot_check_due == request.follow_up_due  # due with the office's own follow-up

    [mail] = [mail for mail in checked.sent() if mail.to == [OFFICE_EMAILS["quality"]]]
    html = unescape(mail.html)
    assert mail.subject.startswith(f"[{reference}] 公司抽查回访 · 投诉")
    assert "抽查时限" in html and "已更换楼道灯。" in html and "请联系住户" in html
    assert "13800138000" in html  # the resident's phone, to call
    link = assignment_link(checked, reference)

    form = call_api(http_event("GET", link))
    assert form.status == 200 and "是否联系上住户？" in form.body
    nothing_recorded(reference)  # opening the link changes nothing

    done = post_form(
        link, {"actor": "吴敏", "reached": "yes", "satisfied": "yes", "note": "住户说灯已经亮了。"}
    )
    assert done.status == 200 and "抽查结果已记录" in done.body
    request, history = stored(reference)
    assert request.spot_check_results["quality"]["reached"] is True
    assert request.spot_check_results["quality"]["satisfied"] is True
    [event] = [event for event in history if event.type == "spot_check"]
    assert event.actor == "吴敏" and not event.public

    again = post_form(link, {"actor": "吴敏", "reached": "no"})
    assert again.status == 409 and "不能重复记录" in unescape(again.body) and "吴敏" in unescape(again.body)
    assert stored(reference)[0].spot_check_results == request.spot_check_results
    assert call_api(http_event("GET", link)).status == 409

    checker = signed_in(checked, "吴敏")
    card = checker.get(f"/desk/requests/{reference}").text
    assert "公司品质部抽查回访：联系上住户，住户满意；备注：住户说灯已经亮了。" in card
    assert 'value="spot_check"' not in card  # recorded: no form any more

    from schedules.monthly import lambda_handler as monthly

    monthly({"time": "2026-12-01T00:00:00Z"}, LambdaContext())
    checked.notify_batch()
    [report] = [mail for mail in checked.sent() if mail.to == [OFFICE_EMAILS["management"]]]
    assert "公司品质部 1 项，已记录 1 项（联系上住户 1 项，满意 1 项）" in unescape(report.html)


def test_the_checking_office_records_at_the_desk_once_and_another_office_may_not(
    checked: Aws, clock_at: Callable[[str], datetime]
) -> None:
    reference = resolved_complaint(checked, clock_at)
    path = f"/desk/requests/{reference}"

    clerk = signed_in(checked, "李明")  # the service centre: it resolved it, but did not draw the check
    page = clerk.get(path)
    assert 'value="spot_check"' not in page.text
    refused = clerk.post(path, {"csrf": clerk.csrf(page), "action": "spot_check", "reached": "yes"})
    assert refused.status == 403 and "没有抽到客户服务中心的抽查" in refused.text
    nothing_recorded(reference)

    checker = signed_in(checked, "吴敏")
    page = checker.get(path)
    assert page.status == 200 and 'value="spot_check"' in page.body and "待记录" in page.text
    form = {
        "csrf": checker.csrf(page),
        "action": "spot_check",
        "reached": "no",
        "note": "两次来电都无人接听。",
    }
    done = checker.post(path, form)
    assert done.status == 303 and done.headers["Location"] == f"{path}?done=spot_check"
    request, history = stored(reference)
    assert request.spot_check_results["quality"]["reached"] is False
    assert "satisfied" not in request.spot_check_results["quality"]
    [event] = [event for event in history if event.type == "spot_check"]
    assert event.actor == "吴敏" and event.data["verified"] is True
    card = checker.get(path, {"done": "spot_check"}).text
    assert "已完成：记录抽查结果" in card and "未能联系上住户；备注：两次来电都无人接听。" in card

    twice = checker.post(path, {**form, "csrf": checker.csrf(page), "reached": "yes", "satisfied": "no"})
    assert twice.status == 409 and "不能重复记录" in twice.text
    assert stored(reference)[0].spot_check_results == request.spot_check_results


def _sign(reference: str, action: str, at: datetime, lifetime: timedelta = timedelta(days=45)) -> str:
    from lobby import links

    return f"/api/spot-checks/{links.sign(SIGNING_SECRET.encode(), reference, action, at, lifetime)}"


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"actor": "吴敏"}, "请选择：是否联系上住户？"),
        ({"actor": "吴敏", "reached": "maybe"}, "请选择：是否联系上住户？"),
        ({"actor": "吴敏", "reached": "yes"}, "请选择：住户对办理结果是否满意？"),
        ({"reached": "no"}, "请填写您的姓名"),
        ({"actor": "吴敏", "reached": "no", "note": "长" * 1001}, "说明不能超过 1000 个字"),
    ],
)
def test_a_missing_or_overlong_answer_is_told_on_the_form_and_nothing_is_recorded(
    checked: Aws, clock_at: Callable[[str], datetime], answers: dict[str, str], words: str
) -> None:
    reference = resolved_complaint(checked, clock_at)
    answer = post_form(assignment_link(checked, reference), answers)
    assert answer.status == 422 and words in unescape(answer.body), unescape(answer.body)
    assert "是否联系上住户？" in unescape(answer.body)  # the form again
    nothing_recorded(reference)


def test_a_forged_expired_other_office_or_other_action_link_is_refused_and_changes_nothing(
    checked: Aws, clock_at: Callable[[str], datetime]
) -> None:
    reference = resolved_complaint(checked, clock_at)
    link = assignment_link(checked, reference)
    answers = {"actor": "吴敏", "reached": "yes", "satisfied": "yes"}
    now = stored(reference)[0].resolved_at

    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    for answer in (post_form(forged, answers), call_api(http_event("GET", forged))):
        assert answer.status == 404 and "这个链接无效" in unescape(answer.body)
    other_office = post_form(_sign(reference, "spotcheck.general-manager", now), answers)
    assert other_office.status == 403 and "没有抽到公司总经办的抽查" in unescape(other_office.body)
    rate_link = post_form(_sign(reference, "rate", now), answers)
    assert rate_link.status == 404
    clock_at("2026-12-30T10:00:00+08:00")  # past the link's 45 days
    expired = post_form(link, answers)
    assert expired.status == 410 and "这个链接已过期" in unescape(expired.body)
    nothing_recorded(reference)


def test_english_staff_read_the_refusals_in_english(
    checked: Aws, clock_at: Callable[[str], datetime]
) -> None:
    reference = resolved_complaint(checked, clock_at)
    checker = Browser(lang="en")
    checker.jar = signed_in(checked, "吴敏").jar
    path = f"/desk/requests/{reference}"
    page = checker.get(path)
    answer = checker.post(path, {"csrf": checker.csrf(page), "action": "spot_check", "reached": "yes"})
    assert answer.status == 422 and "Choose an answer: Is the resident satisfied" in answer.text
    nothing_recorded(reference)

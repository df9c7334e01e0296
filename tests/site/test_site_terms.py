"""The words a mainland property office uses, as the built handbook prints them.

These follow the domain audit: a resident's request is a 诉求, the office head is the 管理处主任
everywhere, weather warnings are the mainland's colour levels, cutting a supply to press for
fees is never presented as a measure, and a complainant's identity is never disclosed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from site_handbook import all_slugs, article, load_page

ZH_SLUGS = all_slugs()


def _zh_text(built_site: Path, slug: str) -> str:
    return article(load_page(built_site, "zh", slug)).text


@pytest.mark.parametrize("slug", ZH_SLUGS)
def test_a_residents_request_is_a_suqiu_not_a_qingqiu(built_site: Path, slug: str) -> None:
    text = _zh_text(built_site, slug)
    # 请求 survives only as a verb in the etiquette list and for HTTP requests and request units.
    allowed = (
        "询问、请求、商量",
        "次请求",
        "请求单位",
        "CloudFront 请求",
        "文件请求",
        "请求方式",
        "请求参数",
        "请求到达",
    )
    stray = [
        m.start()
        for m in re.finditer("请求", text)
        if not any(a in text[m.start() - 12 : m.end() + 12] for a in allowed)
    ]
    assert stray == [], f"{slug}: 请求 where 诉求 is meant: {[text[i - 10 : i + 10] for i in stray]}"


@pytest.mark.parametrize("slug", ZH_SLUGS)
def test_the_office_head_has_one_title(built_site: Path, slug: str) -> None:
    text = _zh_text(built_site, slug)
    # 总经理 (the company's general manager), 部门经理, 管理部经理 and 经理助理 are other people.
    bare = re.findall(r"(?<![总门部])经理(?!助理)", text)
    assert bare == [], f"{slug}: the office head is 管理处主任, not 经理"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_weather_warnings_are_the_mainland_colour_levels(built_site: Path, lang: str) -> None:
    text = article(load_page(built_site, lang, "staff/emergency-plans")).text
    if lang == "zh":
        assert "号信号" not in text
        for colour in ("蓝色", "黄色", "橙色", "红色"):
            assert f"台风{colour}预警" in text
        assert "暴雨红色预警" in text
    else:
        assert "signal No." not in text
        for colour in ("blue", "yellow", "orange", "red"):
            assert f"{colour} typhoon warning" in text
        assert "red rainstorm warning" in text


@pytest.mark.parametrize(
    ("lang", "cut", "law"), [("zh", "停水停电", "第九百四十四条"), ("en", "Cutting off water", "article 944")]
)
def test_cutting_supplies_is_never_a_measure(built_site: Path, lang: str, cut: str, law: str) -> None:
    page = article(load_page(built_site, lang, "staff/violations"))
    measures = page.one("table").text
    assert cut not in measures
    assert law in page.text


def test_the_complainant_is_never_named_to_the_person_complained_about(built_site: Path) -> None:
    zh = _zh_text(built_site, "complaint")
    assert "不会透露给被投诉的人" in zh
    assert "告诉被投诉的人以外" not in zh
    en = article(load_page(built_site, "en", "complaint")).text
    assert "never disclosed to the person you complain about" in " ".join(en.split())

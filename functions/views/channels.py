"""How many messages went out over each channel, in words (the daily digest, the monthly report)."""

from __future__ import annotations

from collections.abc import Mapping

from views.messages import translate


def sent_summary(sent: Mapping[str, int], lang: str) -> str:
    """``邮件 12 封、短信 3 条、企业微信 2 条、钉钉 0 条`` / ``e-mails: 12, texts: 3, WeCom: 2, DingTalk: 0``."""
    parts = [translate(lang, f"channel.count.{channel}", n=count) for channel, count in sent.items()]
    return translate(lang, "list_separator").join(parts)

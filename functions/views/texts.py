"""The words of a text message to a resident (``lobby.texts`` sends it): one segment, link included.

A text in Chinese is at most 70 characters, one in English 160 of the GSM 7-bit alphabet: the
templates (``text.<event>`` in the message catalog) are written so that the longest kind name, the
longest reference and the longest link still fit (tests/unit/test_texts.py renders every one).
"""

from __future__ import annotations

from lobby.catalog import Catalog
from lobby.requests import Event, ServiceRequest
from views.messages import translate

# The events a resident hears of by text (lobby.outbox.RESIDENT_EVENTS and a public note): text.<event>.
TEXT_EVENTS = ("submitted", "acknowledge", "wait", "resolve", "cancel", "reopen", "retriage", "note")

# GSM 03.38: the basic set (one septet each) and the extension table (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM_SEGMENT = 160
UCS2_SEGMENT = 70


def segment_size(text: str) -> tuple[int, int]:
    """(length as the network counts it, the most one segment holds): GSM-7 septets, or UCS-2 characters."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        return sum(2 if ch in GSM_EXTENDED else 1 for ch in text), GSM_SEGMENT
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text), UCS2_SEGMENT


def text_key(event: Event) -> str:
    return f"text.{'note' if event.type == 'note' else event.type}"


def text_body(catalog: Catalog, request: ServiceRequest, event: Event, link: str) -> str:
    lang = request.lang
    kind = catalog.kinds[request.kind].name(lang)
    body = translate(lang, text_key(event), kind=kind, reference=request.reference, link=link)
    # Residents know their property, not the product: every text is signed with its name.
    return translate(lang, "text.signed", property=catalog.property.name(lang), body=body)

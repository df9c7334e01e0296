"""Messages delivered per channel (e-mail, text, WeCom, DingTalk), per local day and per month.

The sender counts each item it delivers in two counters of the table (``Store.take`` with no real
limit: one atomic ADD each), so the daily digest can say what went out yesterday and the monthly
report what went out in the month, without reading the outbox. A count that fails to be written is
let go: the message itself has left, and a figure one short is better than a message sent twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lobby.outbox import EMAIL
from lobby.robots import DINGTALK, WECOM
from lobby.storage import Store
from lobby.texts import SMS

CHANNELS = (EMAIL, SMS, WECOM, DINGTALK)  # in the order the reports list them
_NO_LIMIT = 2**62
_DAY_KEPT = timedelta(days=7)
_MONTH_KEPT = timedelta(days=800)


def _counter(channel: str, period: str) -> str:
    return f"SENT#{channel}#{period}"


def count_delivery(store: Store, channel: str, now: datetime, time_zone: str) -> None:
    """Count one delivered message of ``channel`` in its local day and month."""
    local = now.astimezone(ZoneInfo(time_zone))
    for period, kept in ((f"{local:%Y%m%d}", _DAY_KEPT), (f"{local:%Y%m}", _MONTH_KEPT)):
        try:
            store.take(_counter(channel, period), _NO_LIMIT, int((now + kept).timestamp()))
        except Exception:  # noqa: S112 - a count is not worth a failed delivery (see the module's docstring)
            continue


def sent_on(store: Store, day: date) -> dict[str, int]:
    """Messages delivered on a local day, by channel."""
    return _read(store, f"{day:%Y%m%d}")


def sent_in_month(store: Store, month: str) -> dict[str, int]:
    """Messages delivered in a local month (``2026-11``), by channel."""
    return _read(store, month.replace("-", ""))


def _read(store: Store, period: str) -> dict[str, int]:
    found = store.counts([_counter(channel, period) for channel in CHANNELS])
    return {channel: found.get(_counter(channel, period), 0) for channel in CHANNELS}

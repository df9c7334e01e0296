"""pytest plugin: no log record written anywhere in the test suite may hold a resident's personal data.

Every record that any logger handles (the root logger, ``lobby``'s Powertools logger, whatever
their ``propagate``) is checked as it is emitted: its message, its extra fields, its exception
and traceback, and what each of its handlers' formatters writes (so keys a Powertools logger
appends are seen too). It is compared with a registry of personal values: the distinctive phone
numbers, e-mail addresses, names and descriptions the tests submit (DEFAULT_PERSONAL_VALUES), plus
whatever a test registers through the ``personal_data`` fixture or :func:`register`.

A test during which such a record is written gets an error at teardown naming the logger, the
message and the value (masked). Records written outside any test fail the session at its end.
Phone numbers match whatever separators they were typed or logged with; e-mail addresses match
in any case; other values match as they were typed.

Register it once for the whole suite, in tests/conftest.py:

    pytest_plugins = ["tests.pii_guard"]
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# pytester runs this plugin's own proof (tests/faults/test_faults_pii_guard.py).
pytest_plugins = ["pytester"]

# The values the suite's fixtures and tests submit as a resident would (tests/integration/conftest.py
# repair_fields, the e2e and fault tests). Distinctive on purpose: none can appear in a log by chance.
DEFAULT_PERSONAL_VALUES = (
    "13800138000",
    "13800000000",
    "13900000000",
    "13900139000",
    "resident@example.com",
    "li@example.com",
    "victim@example.com",
    "bench.resident@example.com",
    "王小明",
    "Li Hua",
    "厨房水龙头一直滴水，关不紧",
    "水管漏水",
    "kitchen tap",
    "楼道灯",
    "卫生间的灯不亮",
    "自行车停放架",
)

PHONE = re.compile(r"^\+?[0-9 ()\-.]+$")
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _matcher(value: str) -> re.Pattern[str] | None:
    value = unicodedata.normalize("NFC", value.strip())
    digits = re.sub(r"\D", "", value)
    if PHONE.match(value) and len(digits) >= 7:
        # 138 0013 8000, 138-0013-8000, 13800138000; never a piece of a longer number
        return re.compile(r"(?<!\d)" + r"[\s().+\-]*".join(digits) + r"(?!\d)")
    if len(value) < 2:
        return None  # too short to mean anything
    flags = re.IGNORECASE if "@" in value else 0
    return re.compile(re.escape(value), flags)


def mask(value: str) -> str:
    """Enough of a value to recognise it in the report, not enough to repeat it."""
    return value[:3] + "…" + value[-2:] if len(value) > 6 else value[:1] + "…"


@dataclass(frozen=True)
class Leak:
    test: str | None  # node id, or None outside any test
    logger: str
    message: str
    value: str

    def describe(self) -> str:
        where = f" during {self.test}" if self.test else " outside any test"
        return (
            f"logger {self.logger!r}{where}: {self.message[:120]!r} holds personal data ({mask(self.value)})"
        )


class Guard:
    """The registry of personal values, and the leaks found so far."""

    def __init__(self, values: tuple[str, ...] = DEFAULT_PERSONAL_VALUES) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, re.Pattern[str]] = {}
        self.leaks: list[Leak] = []
        self.records_checked = 0
        self.current_test: str | None = None
        self._original_handle: Callable[[logging.Logger, logging.LogRecord], None] | None = None
        self.register(*values)

    def register(self, *values: str) -> None:
        with self._lock:
            for value in values:
                matcher = _matcher(value)
                if matcher is not None:
                    self._values[value] = matcher

    def matchers(self) -> list[tuple[str, re.Pattern[str]]]:
        with self._lock:
            return list(self._values.items())

    # capture -----------------------------------------------------------------------------------
    def install(self) -> None:
        """Check every record every logger handles, from now on."""
        original = logging.Logger.handle
        guard = self

        def handle(logger: logging.Logger, record: logging.LogRecord) -> None:
            original(logger, record)
            guard.check(logger, record)

        self._original_handle = original
        logging.Logger.handle = handle  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._original_handle is not None:
            logging.Logger.handle = self._original_handle  # type: ignore[method-assign,assignment]
            self._original_handle = None

    def check(self, logger: logging.Logger, record: logging.LogRecord) -> None:
        try:
            texts = list(record_texts(logger, record))
        except Exception:  # a record that cannot even be read is not this guard's failure
            return
        with self._lock:
            self.records_checked += 1
        for value, matcher in self.matchers():
            if any(matcher.search(text) for text in texts):
                with self._lock:
                    self.leaks.append(Leak(self.current_test, logger.name, _message(record), value))

    def forget_since(self, count: int) -> None:
        with self._lock:
            del self.leaks[count:]

    def take(self, test: str | None) -> list[Leak]:
        with self._lock:
            found = [leak for leak in self.leaks if leak.test == test]
            self.leaks = [leak for leak in self.leaks if leak.test != test]
        return found


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        return str(record.msg)


def _handlers(logger: logging.Logger) -> Iterator[logging.Handler]:
    current: logging.Logger | None = logger
    while current is not None:
        yield from current.handlers
        current = current.parent if current.propagate else None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def record_texts(logger: logging.Logger, record: logging.LogRecord) -> Iterator[str]:
    """Everything a record carries and everything its handlers would write, JSON unescaped."""
    yield _message(record)
    yield from _strings(record.args)
    for name, value in vars(record).items():
        if name not in _STANDARD_ATTRIBUTES:
            yield from _strings(value)
    if record.exc_info and record.exc_info[1] is not None:
        yield "".join(traceback.format_exception(*record.exc_info))
    for extra in (record.exc_text, record.stack_info):
        if extra:
            yield extra
    for handler in _handlers(logger):
        if handler.formatter is None:
            continue
        written = handler.formatter.format(record)
        yield written
        with contextlib.suppress(ValueError):  # Powertools writes JSON, which may escape non-ASCII text
            yield from _strings(json.loads(written))


# pytest wiring ---------------------------------------------------------------------------------
_GUARD = pytest.StashKey[Guard]()
_active: list[Guard] = []


def register(*values: str) -> None:
    """Add personal values to the registry of the running session."""
    for guard in _active:
        guard.register(*values)


@contextlib.contextmanager
def watching() -> Iterator[Guard]:
    """Check the records written inside the block with a guard of its own, which the caller asserts on
    (``assert guard.leaks == []``); the session's guard leaves those records to it."""
    values = tuple(value for value, _ in _active[-1].matchers()) if _active else DEFAULT_PERSONAL_VALUES
    local = Guard(values)
    local.current_test = _active[-1].current_test if _active else None
    marks = [(guard, len(guard.leaks)) for guard in _active]
    local.install()
    try:
        yield local
    finally:
        local.uninstall()
        for guard, mark in marks:
            guard.forget_since(mark)


def personal_data_in(text: str) -> list[str]:
    """The registered personal values (masked) that ``text`` holds: for logs written by another
    process, such as the local stack's console, which no logger of this process handles."""
    guard = _active[-1] if _active else Guard()
    return [mask(value) for value, matcher in guard.matchers() if matcher.search(text)]


@pytest.fixture
def personal_data() -> Callable[..., None]:
    """``personal_data("13912345678", "Zhang San")``: these must never appear in a log either."""
    return register


def pytest_configure(config: pytest.Config) -> None:
    guard = Guard()
    guard.install()
    config.stash[_GUARD] = guard
    _active.append(guard)


def pytest_unconfigure(config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD, None)
    if guard is not None:
        guard.uninstall()
        _active.remove(guard)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    guard = item.config.stash[_GUARD]
    guard.current_test = item.nodeid
    try:
        return (yield)
    finally:
        guard.current_test = None


class PersonalDataLogged(AssertionError):
    """A log record written during this test holds a resident's personal data."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    result = yield  # every fixture has been torn down: what they logged counts too
    leaks = item.config.stash[_GUARD].take(item.nodeid)
    if leaks:
        details = "\n  ".join(leak.describe() for leak in leaks[:10])
        raise PersonalDataLogged(f"{len(leaks)} log record(s) hold personal data:\n  {details}")
    return result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD, None)
    if guard is not None and guard.records_checked and config.option.verbose > 0:
        terminalreporter.write_line(
            f"pii_guard: {guard.records_checked} log records checked for personal data"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    guard = session.config.stash.get(_GUARD, None)
    if guard is None:
        return
    stray = guard.take(None)
    leftover = guard.leaks  # recorded during a test whose teardown failed before it was checked
    if not stray and not leftover:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for leak in [*stray, *leftover][:20]:
        line = f"pii_guard: {leak.describe()}"
        if reporter is not None:
            reporter.write_line(line, red=True)
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

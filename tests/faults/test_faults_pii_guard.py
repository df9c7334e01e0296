"""tests/pii_guard.py can fail: a test that logs a resident's phone number, e-mail address or words
gets an error, whichever logger writes it and however the value is spelt; clean logs pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

LEAKY_TESTS = """
import logging

from aws_lambda_powertools import Logger

powertools = Logger(service="lobby-guard-proof")


def test_logs_a_phone_number_with_spaces():
    logging.getLogger("lobby.proof").warning("calling %s", "138 0013 8000")


def test_logs_an_email_address_in_an_extra_field():
    powertools.info("mail failed", extra={"to": "RESIDENT@example.com"})


def test_logs_chinese_text_a_resident_typed_as_escaped_json():
    powertools.append_keys(description="厨房水龙头一直滴水，关不紧。")
    try:
        powertools.info("received")
    finally:
        powertools.remove_keys(["description"])


def test_logs_an_exception_whose_message_holds_a_registered_value(personal_data):
    personal_data("13912345678")
    try:
        raise ValueError("no request for 139-1234-5678")
    except ValueError:
        logging.getLogger("lobby.proof").exception("lookup failed")


def test_logs_only_a_reference_and_a_kind():
    powertools.info("request received", extra={"reference": "20261122-0001", "kind": "repair"})
    logging.getLogger("lobby.proof").info("stored %s", "20261122-0001")
"""


@pytest.fixture
def guarded(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    paths = [str(REPO), str(REPO / "functions"), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path for path in paths if path))
    return pytester


def test_the_guard_fails_each_test_that_logs_personal_data_and_only_those(guarded: pytest.Pytester) -> None:
    result = guarded.runpytest_subprocess("-p", "tests.pii_guard", "-p", "no:cacheprovider", "-q")

    result.assert_outcomes(passed=5, errors=4)
    output = result.stdout.str()
    for test in (
        "test_logs_a_phone_number_with_spaces",
        "test_logs_an_email_address_in_an_extra_field",
        "test_logs_chinese_text_a_resident_typed_as_escaped_json",
        "test_logs_an_exception_whose_message_holds_a_registered_value",
    ):
        assert f"ERROR at teardown of {test}" in output
    assert "ERROR at teardown of test_logs_only_a_reference_and_a_kind" not in output
    assert "holds personal data (138…00)" in output  # masked in the report
    assert "13800138000" not in output.replace("138 0013 8000", "")


def test_without_the_guard_the_same_tests_pass(guarded: pytest.Pytester) -> None:
    # The errors above come from the guard, not from the tests themselves.
    guarded.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef personal_data():\n    return lambda *values: None\n"
    )
    result = guarded.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=5)

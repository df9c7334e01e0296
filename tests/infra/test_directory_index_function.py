"""The CloudFront viewer-request function, run in Node.js on CloudFront-shaped events."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from cfn import resource

# make test installs Node.js (as it installs Chromium): the function's own JavaScript is what runs.
NODE = shutil.which("node")

# Runs the template's function on each event of stdin's JSON list; prints the results.
HARNESS = """
%s
const events = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(events.map(handler)));
"""


def run_function(template: dict[str, Any], requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    code = resource(template, "DirectoryIndexFunction")["Properties"]["FunctionCode"]
    events = [{"version": "1.0", "context": {"eventType": "viewer-request"}, "request": r} for r in requests]
    assert NODE, "Node.js runs the CloudFront function's JavaScript: make test installs it (nodejs)"
    result = subprocess.run(
        [NODE, "-e", HARNESS % code],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def request(uri: str, querystring: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"method": "GET", "uri": uri, "querystring": querystring or {}, "headers": {}, "cookies": {}}


def test_the_function_is_a_published_viewer_request_function(template: dict[str, Any]) -> None:
    function = resource(template, "DirectoryIndexFunction")["Properties"]

    assert function["AutoPublish"] is True
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert len(function["FunctionCode"].encode()) < 10 * 1024  # CloudFront Functions' size limit


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/repair/", "/repair/index.html"),
        ("/en/", "/en/index.html"),
        ("/en/repair/", "/en/repair/index.html"),
        ("/assets/javascripts/bundle.f1e2d3c4.min.js", "/assets/javascripts/bundle.f1e2d3c4.min.js"),
        ("/404.html", "/404.html"),
        ("/sitemap.xml.gz", "/sitemap.xml.gz"),
    ],
)
def test_directory_urls_are_served_from_their_index_page(
    template: dict[str, Any], uri: str, served: str
) -> None:
    (result,) = run_function(template, [request(uri)])

    assert result["uri"] == served
    assert "statusCode" not in result


@pytest.mark.parametrize(
    ("uri", "querystring", "location"),
    [
        ("/repair", {}, "/repair/"),
        ("/en/repair", {}, "/en/repair/"),
        ("/en", {"lang": {"value": "en"}}, "/en/?lang=en"),
        (
            "/status",
            {"a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}]}},
            "/status/?a=1&a=2",
        ),
    ],
)
def test_a_directory_url_without_its_slash_is_redirected_to_it(
    template: dict[str, Any], uri: str, querystring: dict[str, Any], location: str
) -> None:
    """The pages' relative links only resolve from the directory URL itself."""
    (result,) = run_function(template, [request(uri, querystring)])

    assert result["statusCode"] == 301
    assert result["headers"]["location"]["value"] == location


@pytest.mark.parametrize(
    ("uri", "location"),
    [
        ("//evil.example/x", "/evil.example/x/"),
        ("///evil.example/x", "/evil.example/x/"),
        ("/\\evil.example/x", "/evil.example/x/"),
        ("/\\/evil.example/x", "/evil.example/x/"),
        ("//\\evil.example/x", "/evil.example/x/"),
        ("/\t/evil.example/x", "/evil.example/x/"),
        ("/ //evil.example/x", "/evil.example/x/"),
        ("/%2F%2Fevil.example/x", "/%2F%2Fevil.example/x/"),
    ],
)
def test_a_redirect_never_leaves_the_site(template: dict[str, Any], uri: str, location: str) -> None:
    """A Location of "//host/x" (or "/\\host/x", which browsers read the same way) is another site."""
    (result,) = run_function(template, [request(uri)])

    assert result["statusCode"] == 301
    assert result["headers"]["location"]["value"] == location

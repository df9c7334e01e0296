"""The optional AWS WAF web ACL: its template lints, the stack attaches it only when given, and the
costs page states its monthly price as site/data/costs.yaml computes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from cfn import Tag, resource

from tests.infra.test_cfn_lint import run_cfn_lint


def test_the_waf_template_has_no_cfn_lint_findings(root: Path) -> None:
    result = run_cfn_lint(root / "infra" / "waf.yaml")
    assert result.returncode == 0, f"cfn-lint found problems:\n{result.stdout}{result.stderr}"


def test_the_waf_template_blocks_an_address_past_its_rate(root: Path) -> None:
    document = yaml.safe_load(
        (root / "infra" / "waf.yaml")
        .read_text(encoding="utf-8")
        .replace("!Ref RateLimit", "300")
        .replace("!GetAtt WebAcl.Arn", "arn")
    )
    acl = document["Resources"]["WebAcl"]["Properties"]
    assert acl["Scope"] == "CLOUDFRONT" and acl["DefaultAction"] == {"Allow": {}}
    [rule] = acl["Rules"]
    assert rule["Action"] == {"Block": {}}
    assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"


def test_the_distribution_takes_a_web_acl_only_when_one_is_given(template: dict[str, Any]) -> None:
    config = resource(template, "Distribution")["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == Tag("If", ["HasWebAcl", Tag("Ref", "WebAclArn"), Tag("Ref", "AWS::NoValue")])
    assert template["Parameters"]["WebAclArn"]["Default"] == ""


def test_the_costs_page_states_the_waf_price_the_model_gives(root: Path) -> None:
    model = yaml.safe_load((root / "site" / "data" / "costs.yaml").read_text(encoding="utf-8"))
    per, site, waf = model["per_request"], model["site"], model["waf"]
    pages = [
        (root / "site" / "docs" / "admin" / f"costs.{lang}.md").read_text(encoding="utf-8")
        for lang in ("en", "zh")
    ]
    for volume in model["volumes"]:
        inspected = volume * (site["page_views"] * site["page_requests"] + per["api_calls"])
        monthly = waf["web_acl_per_month"] + waf["rule_per_month"] * waf["rules"]
        monthly += inspected / 1e6 * waf["per_million_requests"]
        for page in pages:
            assert f"${monthly:,.2f}" in page, (volume, monthly)
    for page in pages:
        assert f"${waf['web_acl_per_month']:.2f}" in page and f"${waf['per_million_requests']:.2f}" in page

"""The handbook's own data: figures quoted from the seeds, and the cost estimate.

Neither is part of the catalog. ``site/data/figures.yaml`` holds procedure
figures no code enforces (spot-check rates, storm signals, appraisal weights);
``site/data/costs.yaml`` holds the usage assumptions and AWS list prices the
administrators' cost table is computed from. Both render in the page's
language, and an unknown key fails the build like any unknown marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import yaml

SITE = Path(__file__).resolve().parents[1]
FIGURES_YAML = SITE / "data" / "figures.yaml"
COSTS_YAML = SITE / "data" / "costs.yaml"
TEMPLATE_YAML = SITE.parent / "template.yaml"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


# --- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    zh: str
    en: str
    source: str

    def text(self, lang: str) -> str:
        return self.en if _lang(lang) == "en" else self.zh


@cache
def load_figures(path: Path = FIGURES_YAML) -> dict[str, Figure]:
    """Every figure by key; ValueError names an entry without both languages and a source."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    figures: dict[str, Figure] = {}
    for key, entry in (document.get("figures") or {}).items():
        if not isinstance(entry, dict) or not all(
            str(entry.get(part) or "").strip() for part in ("zh", "en", "source")
        ):
            raise ValueError(f"{path.name}: figure {key!r} needs zh, en and source")
        figures[key] = Figure(zh=str(entry["zh"]), en=str(entry["en"]), source=str(entry["source"]))
    return figures


def render_figure(key: str, lang: str) -> str:
    figures = load_figures()
    if key not in figures:
        raise ValueError(f"no figure {key!r} in {FIGURES_YAML.name} (known: {', '.join(sorted(figures))})")
    return f'<span class="lobby-figure">{_e(figures[key].text(lang))}</span>'


# --- costs -----------------------------------------------------------------------------------------

_COST_TEXT: dict[str, dict[str, str]] = {
    "caption": {
        "zh": "每月费用估算（美元，{region} 公布价格，不计免费额度）",
        "en": "Estimated monthly cost (US dollars, {region} list prices, no free tier)",
    },
    "service": {"zh": "服务", "en": "Service"},
    "usage": {"zh": "每月 {volume} 件诉求：用量", "en": "{volume} requests a month: usage"},
    "cost": {"zh": "费用", "en": "Cost"},
    "total": {"zh": "合计", "en": "Total"},
    "http_api": {"zh": "API Gateway HTTP API", "en": "API Gateway HTTP API"},
    "lambda_requests": {"zh": "Lambda 调用", "en": "Lambda invocations"},
    "lambda_compute": {"zh": "Lambda 计算（arm64）", "en": "Lambda compute (arm64)"},
    "dynamodb_writes": {"zh": "DynamoDB 写入（按需）", "en": "DynamoDB writes (on demand)"},
    "dynamodb_reads": {"zh": "DynamoDB 读取（按需）", "en": "DynamoDB reads (on demand)"},
    "dynamodb_storage": {
        "zh": "DynamoDB 存储与时间点恢复",
        "en": "DynamoDB storage and point-in-time recovery",
    },
    "ses": {"zh": "SES 邮件", "en": "SES e-mail"},
    "cloudfront_transfer": {"zh": "CloudFront 流量", "en": "CloudFront data transfer"},
    "cloudfront_requests": {"zh": "CloudFront 请求", "en": "CloudFront requests"},
    "cloudfront_functions": {"zh": "CloudFront 函数", "en": "CloudFront Functions"},
    "s3": {"zh": "S3 网站存储与读取", "en": "S3 site storage and reads"},
    "scheduler": {"zh": "EventBridge Scheduler 定时调用", "en": "EventBridge Scheduler invocations"},
    "kms": {"zh": "KMS 解密（签名密钥）", "en": "KMS decryption (signing secret)"},
    "ssm": {"zh": "SSM 参数（标准）", "en": "SSM parameter (standard)"},
    "alarms": {"zh": "CloudWatch 告警", "en": "CloudWatch alarms"},
    "logs": {"zh": "CloudWatch 日志", "en": "CloudWatch Logs"},
    "unit_requests": {"zh": "{n} 次", "en": "{n} requests"},
    "unit_gb_seconds": {"zh": "{n} GB-秒", "en": "{n} GB-seconds"},
    "unit_units": {"zh": "{n} 个请求单位", "en": "{n} request units"},
    "unit_gb": {"zh": "{n} GB", "en": "{n} GB"},
    "unit_emails": {"zh": "{n} 封", "en": "{n} e-mails"},
    "unit_alarms": {"zh": "{n} 个", "en": "{n} alarms"},
    "unit_parameters": {"zh": "{n} 个", "en": "{n} parameters"},
}


def _c(key: str, lang: str, **values: object) -> str:
    text = _COST_TEXT[key][_lang(lang)]
    return text.format(**values) if values else text


def cost_label(key: str, lang: str) -> str:
    """The name of a cost line in the page's language."""
    return _c(key, lang)


@dataclass(frozen=True)
class CostLine:
    key: str  # names the service (a _COST_TEXT key)
    amount: float  # how much of it: requests, GB-seconds, units, GB, e-mails, alarms
    unit: str  # a _COST_TEXT unit key
    dollars: float


@cache
def load_cost_model(path: Path = COSTS_YAML) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def count_alarms(template: Path = TEMPLATE_YAML) -> int:
    """How many CloudWatch alarms the SAM template defines (each one is billed monthly)."""
    return len(
        re.findall(r"^\s+Type:\s*AWS::CloudWatch::Alarm\s*$", template.read_text(encoding="utf-8"), re.M)
    )


def estimate(model: dict[str, Any], requests_a_month: int, alarms: int) -> list[CostLine]:
    """The monthly bill, line by line: each request's measured share times the volume, plus the fixed month.

    ``per_request`` and ``fixed`` are what bench/bench_cost.py measured by running the code; ``site`` holds
    the assumptions about handbook traffic, which no benchmark can measure.
    """
    per, fixed, site, price = model["per_request"], model["fixed"], model["site"], model["prices"]
    volume = requests_a_month

    def total(key: str) -> float:
        return float(volume * per.get(key, 0) + fixed.get(key, 0))

    api_calls = total("api_calls")
    invocations = total("lambda_invocations")
    gb_seconds = total("lambda_gb_seconds")
    writes, reads = total("dynamodb_write_units"), total("dynamodb_read_units")
    # Steady state: each month's requests stay stored for as long as they are kept.
    table_gb, index_gb = volume * per["table_gb_months"], volume * per["index_gb_months"]
    storage = (table_gb + index_gb) * price["dynamodb_storage_per_gb_month"] + table_gb * price[
        "dynamodb_pitr_per_gb_month"
    ]
    emails = total("emails")
    page_requests = volume * site["page_views"] * site["page_requests"]
    transfer_gb = (volume * site["page_views"] * site["page_kb"] + total("api_kb")) / 1e6
    edge_requests = page_requests + api_calls
    s3_dollars = (
        site["site_mb"] / 1000 * price["s3_per_gb_month"]
        + page_requests / 1000 * price["s3_per_thousand_gets"]
    )
    scheduled = float(fixed.get("scheduler_invocations", 0))
    kms = total("kms_requests")
    log_gb = total("log_kb") / 1e6
    return [
        CostLine("http_api", api_calls, "unit_requests", api_calls / 1e6 * price["http_api_per_million"]),
        CostLine(
            "lambda_requests",
            invocations,
            "unit_requests",
            invocations / 1e6 * price["lambda_per_million_requests"],
        ),
        CostLine(
            "lambda_compute", gb_seconds, "unit_gb_seconds", gb_seconds * price["lambda_per_gb_second_arm64"]
        ),
        CostLine(
            "dynamodb_writes", writes, "unit_units", writes / 1e6 * price["dynamodb_per_million_write_units"]
        ),
        CostLine(
            "dynamodb_reads", reads, "unit_units", reads / 1e6 * price["dynamodb_per_million_read_units"]
        ),
        CostLine("dynamodb_storage", table_gb + index_gb, "unit_gb", storage),
        CostLine("ses", emails, "unit_emails", emails / 1000 * price["ses_per_thousand_emails"]),
        CostLine(
            "cloudfront_transfer", transfer_gb, "unit_gb", transfer_gb * price["cloudfront_per_gb_asia"]
        ),
        CostLine(
            "cloudfront_requests",
            edge_requests,
            "unit_requests",
            edge_requests / 1e4 * price["cloudfront_per_10k_https_requests"],
        ),
        CostLine(
            "cloudfront_functions",
            page_requests,
            "unit_requests",
            page_requests / 1e6 * price["cloudfront_functions_per_million"],
        ),
        CostLine("s3", page_requests, "unit_requests", s3_dollars),
        CostLine("scheduler", scheduled, "unit_requests", scheduled / 1e6 * price["scheduler_per_million"]),
        CostLine("kms", kms, "unit_requests", kms / 1e4 * price["kms_per_10k_requests"]),
        CostLine("ssm", 1, "unit_parameters", price["ssm_standard_parameter_per_month"]),
        CostLine("alarms", alarms, "unit_alarms", alarms * price["cloudwatch_alarm_per_month"]),
        CostLine("logs", log_gb, "unit_gb", log_gb * price["cloudwatch_logs_per_gb"]),
    ]


def _amount(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{round(value):,}"
    return f"{value:,.2f}"


def _dollars(value: float) -> str:
    return "< $0.01" if 0 < value < 0.005 else f"${value:,.2f}"


def render_costs(lang: str) -> str:
    """The cost table at each volume of the model, with a total per volume."""
    lang = _lang(lang)
    model = load_cost_model()
    alarms = count_alarms()
    volumes = [int(volume) for volume in model["volumes"]]
    estimates = [estimate(model, volume, alarms) for volume in volumes]
    head = f'<th scope="col">{_e(_c("service", lang))}</th>' + "".join(
        f'<th scope="col">{_e(_c("usage", lang, volume=f"{volume:,}"))}</th><th scope="col">{_e(_c("cost", lang))}</th>'
        for volume in volumes
    )
    rows = []
    for index, line in enumerate(estimates[0]):
        cells = "".join(
            f'<td data-label="{_e(_c("usage", lang, volume=f"{volume:,}"))}">'
            f"{_e(_c(lines[index].unit, lang, n=_amount(lines[index].amount)))}</td>"
            f'<td class="lobby-number" data-label="{_e(_c("cost", lang))}">{_e(_dollars(lines[index].dollars))}</td>'
            for volume, lines in zip(volumes, estimates, strict=True)
        )
        rows.append(f'<tr data-line="{line.key}"><th scope="row">{_e(_c(line.key, lang))}</th>{cells}</tr>')
    totals = "".join(
        f'<td class="lobby-empty"></td><td class="lobby-number" data-label="{_e(_c("usage", lang, volume=f"{volume:,}"))}">'
        f"<strong>{_e(_dollars(sum(line.dollars for line in lines)))}</strong></td>"
        for volume, lines in zip(volumes, estimates, strict=True)
    )
    rows.append(f'<tr data-line="total"><th scope="row">{_e(_c("total", lang))}</th>{totals}</tr>')
    caption = _c("caption", lang, region=model["region"])
    return (
        f'<div class="lobby-table-wrap"><table class="lobby-cost-table"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


_ASSUMPTIONS: dict[str, tuple[str, float, dict[str, str]]] = {
    "api_calls": (
        "per_request",
        1,
        {
            "zh": "每件诉求调用 API {n} 次（提交、查询进度、员工操作、评价或回访）",
            "en": "{n} API calls per request (submit, a status look-up, staff actions, rating or follow-up)",
        },
    ),
    "lambda_invocations": (
        "per_request",
        1,
        {
            "zh": "每件诉求触发函数 {n} 次",
            "en": "{n} function invocations per request",
        },
    ),
    "lambda_gb_seconds": (
        "per_request",
        1,
        {
            "zh": "每件诉求 {n} GB-秒（含冷启动）",
            "en": "{n} GB-seconds per request, cold starts included",
        },
    ),
    "dynamodb_write_units": (
        "per_request",
        1,
        {
            "zh": "每件诉求 {n} 个写入单位（含事务与索引）",
            "en": "{n} write units per request (transactions and indexes included)",
        },
    ),
    "dynamodb_read_units": (
        "per_request",
        1,
        {"zh": "每件诉求 {n} 个读取单位", "en": "{n} read units per request"},
    ),
    "emails": ("per_request", 1, {"zh": "每件诉求发出 {n} 封邮件", "en": "{n} e-mails per request"}),
    "table_gb_months": (
        "per_request",
        1e6,
        {
            "zh": "每件诉求在保存期内占用 {n} KB·月（表）",
            "en": "{n} KB-months stored per request while kept (table)",
        },
    ),
    "index_gb_months": (
        "per_request",
        1e6,
        {
            "zh": "另有 {n} KB·月（索引）",
            "en": "{n} KB-months more in the indexes",
        },
    ),
    "lambda_invocations_fixed": (
        "fixed",
        1,
        {
            "zh": "定时函数每月运行 {n} 次（与诉求数量无关）",
            "en": "{n} scheduled runs a month, whatever the volume",
        },
    ),
    "page_views": (
        "site",
        1,
        {
            "zh": "每件诉求对应 {n} 次页面浏览（估计）",
            "en": "{n} handbook page views per request (estimated)",
        },
    ),
    "page_kb": (
        "site",
        1,
        {"zh": "每次页面浏览传输 {n} KB（估计）", "en": "{n} KB transferred per page view (estimated)"},
    ),
}


def render_cost_assumptions(lang: str) -> str:
    """What the cost table is computed from: the measured figures per request and per month, and the estimates."""
    lang = _lang(lang)
    model = load_cost_model()
    items = "".join(
        f"<li>{_e(text[lang].format(n=_amount(float(model[block][key.removesuffix('_fixed')]) * scale)))}</li>"
        for key, (block, scale, text) in _ASSUMPTIONS.items()
    )
    return f'<ul class="lobby-cost-assumptions">{items}</ul>'

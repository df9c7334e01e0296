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
    "alarms": {"zh": "CloudWatch 告警", "en": "CloudWatch alarms"},
    "logs": {"zh": "CloudWatch 日志", "en": "CloudWatch Logs"},
    "unit_requests": {"zh": "{n} 次", "en": "{n} requests"},
    "unit_gb_seconds": {"zh": "{n} GB-秒", "en": "{n} GB-seconds"},
    "unit_units": {"zh": "{n} 个请求单位", "en": "{n} request units"},
    "unit_gb": {"zh": "{n} GB", "en": "{n} GB"},
    "unit_emails": {"zh": "{n} 封", "en": "{n} e-mails"},
    "unit_alarms": {"zh": "{n} 个", "en": "{n} alarms"},
}


def _c(key: str, lang: str, **values: object) -> str:
    text = _COST_TEXT[key][_lang(lang)]
    return text.format(**values) if values else text


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
    """The monthly bill, line by line, for a number of requests filed a month."""
    per, fixed, fn, price = model["per_request"], model["fixed"], model["lambda"], model["prices"]
    volume = requests_a_month
    api_calls = volume * per["api_calls"]
    notify = volume * per["notify_invocations"]
    runs = fixed["scheduled_runs"]
    invocations = api_calls + notify + runs
    gb_seconds = fn["memory_gb"] * (
        api_calls * fn["api_seconds"] + notify * fn["notify_seconds"] + runs * fn["scheduled_seconds"]
    )
    writes = volume * per["dynamodb_write_units"]
    reads = volume * per["dynamodb_read_units"] + runs * fixed["scheduled_read_units"]
    stored_gb = volume * fixed["months_kept"] * per["stored_kb"] / 1e6
    emails = volume * per["emails"]
    page_views = volume * per["page_views"]
    transfer_gb = page_views * per["page_kb"] / 1e6
    edge_requests = page_views * per["page_requests"]
    log_gb = invocations * fn["log_kb_per_invocation"] / 1e6
    storage_price = price["dynamodb_storage_per_gb_month"] + price["dynamodb_pitr_per_gb_month"]
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
        CostLine("dynamodb_storage", stored_gb, "unit_gb", stored_gb * storage_price),
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


_ASSUMPTIONS: dict[str, dict[str, str]] = {
    "api_calls": {
        "zh": "每件诉求调用 API {n} 次（提交、查询进度、员工操作、评价）",
        "en": "{n} API calls per request (submit, status look-ups, staff actions, rating)",
    },
    "emails": {"zh": "每件诉求发出 {n} 封邮件", "en": "{n} e-mails per request"},
    "notify_invocations": {"zh": "每件诉求触发通知函数 {n} 次", "en": "{n} notify invocations per request"},
    "dynamodb_write_units": {
        "zh": "每件诉求 {n} 个写入单位（含事务与索引）",
        "en": "{n} write units per request (transactions and indexes included)",
    },
    "dynamodb_read_units": {"zh": "每件诉求 {n} 个读取单位", "en": "{n} read units per request"},
    "stored_kb": {"zh": "每件诉求存储 {n} KB（含索引）", "en": "{n} KB stored per request, indexes included"},
    "page_views": {"zh": "每件诉求对应 {n} 次页面浏览", "en": "{n} handbook page views per request"},
    "page_kb": {"zh": "每次页面浏览传输 {n} KB", "en": "{n} KB transferred per page view"},
    "page_requests": {"zh": "每次页面浏览 {n} 个文件请求", "en": "{n} file requests per page view"},
    "scheduled_runs": {"zh": "定时函数每月运行 {n} 次", "en": "{n} scheduled runs a month"},
    "months_kept": {"zh": "记录保存 {n} 个月", "en": "records kept {n} months"},
    "memory_gb": {"zh": "函数内存 {n} GB", "en": "{n} GB of function memory"},
}


def render_cost_assumptions(lang: str) -> str:
    """The assumptions the cost table is computed from, as a list."""
    lang = _lang(lang)
    model = load_cost_model()
    values = {**model["per_request"], **model["fixed"], **model["lambda"]}
    items = "".join(
        f"<li>{_e(text[lang].format(n=_amount(float(values[key]))))}</li>"
        for key, text in _ASSUMPTIONS.items()
    )
    return f'<ul class="lobby-cost-assumptions">{items}</ul>'

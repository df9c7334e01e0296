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

from views.messages import translate

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


def cost_label(key: str, lang: str) -> str:
    """The name of a cost line in the page's language."""
    return translate(lang, f"costs.line.{key}")


@dataclass(frozen=True)
class CostLine:
    key: str  # names the service (its label is the message catalog's costs.line.<key>)
    amount: float  # how much of it: requests, GB-seconds, units, GB, e-mails, alarms
    unit: str  # the message key of its unit: costs.unit.requests, costs.unit.gb …
    dollars: float


@cache
def load_cost_model(path: Path = COSTS_YAML) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def count_alarms(template: Path = TEMPLATE_YAML) -> int:
    """How many CloudWatch alarms the SAM template defines (each one is billed monthly)."""
    return len(
        re.findall(r"^\s+Type:\s*AWS::CloudWatch::Alarm\s*$", template.read_text(encoding="utf-8"), re.M)
    )


TEXTS = "sms"  # the text-message line: outside the target, shown after the total of everything else


def bill(lines: list[CostLine], *, texts: bool) -> float:
    """The month's total of an estimate, with or without the text messages."""
    return sum(line.dollars for line in lines if texts or line.key != TEXTS)


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
    texts = total("texts")
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
        CostLine(
            "http_api", api_calls, "costs.unit.requests", api_calls / 1e6 * price["http_api_per_million"]
        ),
        CostLine(
            "lambda_requests",
            invocations,
            "costs.unit.requests",
            invocations / 1e6 * price["lambda_per_million_requests"],
        ),
        CostLine(
            "lambda_compute",
            gb_seconds,
            "costs.unit.gb_seconds",
            gb_seconds * price["lambda_per_gb_second_arm64"],
        ),
        CostLine(
            "dynamodb_writes",
            writes,
            "costs.unit.units",
            writes / 1e6 * price["dynamodb_per_million_write_units"],
        ),
        CostLine(
            "dynamodb_reads",
            reads,
            "costs.unit.units",
            reads / 1e6 * price["dynamodb_per_million_read_units"],
        ),
        CostLine("dynamodb_storage", table_gb + index_gb, "costs.unit.gb", storage),
        CostLine("ses", emails, "costs.unit.emails", emails / 1000 * price["ses_per_thousand_emails"]),
        CostLine("sms", texts, "costs.unit.texts", texts * price["sms_per_message_china"]),
        CostLine(
            "cloudfront_transfer", transfer_gb, "costs.unit.gb", transfer_gb * price["cloudfront_per_gb_asia"]
        ),
        CostLine(
            "cloudfront_requests",
            edge_requests,
            "costs.unit.requests",
            edge_requests / 1e4 * price["cloudfront_per_10k_https_requests"],
        ),
        CostLine(
            "cloudfront_functions",
            page_requests,
            "costs.unit.requests",
            page_requests / 1e6 * price["cloudfront_functions_per_million"],
        ),
        CostLine("s3", page_requests, "costs.unit.requests", s3_dollars),
        CostLine(
            "scheduler", scheduled, "costs.unit.requests", scheduled / 1e6 * price["scheduler_per_million"]
        ),
        CostLine("kms", kms, "costs.unit.requests", kms / 1e4 * price["kms_per_10k_requests"]),
        CostLine("ssm", 1, "costs.unit.parameters", price["ssm_standard_parameter_per_month"]),
        CostLine("alarms", alarms, "costs.unit.alarms", alarms * price["cloudwatch_alarm_per_month"]),
        CostLine("logs", log_gb, "costs.unit.gb", log_gb * price["cloudwatch_logs_per_gb"]),
    ]


def _amount(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{round(value):,}"
    return f"{value:,.2f}"


def _dollars(value: float) -> str:
    return "< $0.01" if 0 < value < 0.005 else f"${value:,.2f}"


def render_costs(lang: str) -> str:
    """The cost table at each volume of the model, with a total per volume."""
    model = load_cost_model()
    alarms = count_alarms()
    volumes = [int(volume) for volume in model["volumes"]]
    estimates = [estimate(model, volume, alarms) for volume in volumes]
    head = f'<th scope="col">{_e(translate(lang, "costs.service"))}</th>' + "".join(
        f'<th scope="col">{_e(translate(lang, "costs.usage", volume=f"{volume:,}"))}</th><th scope="col">{_e(translate(lang, "costs.cost"))}</th>'
        for volume in volumes
    )

    def line_row(index: int) -> str:
        cells = "".join(
            f'<td data-label="{_e(translate(lang, "costs.usage", volume=f"{volume:,}"))}">'
            f"{_e(translate(lang, lines[index].unit, n=_amount(lines[index].amount)))}</td>"
            f'<td class="lobby-number" data-label="{_e(translate(lang, "costs.cost"))}">{_e(_dollars(lines[index].dollars))}</td>'
            for volume, lines in zip(volumes, estimates, strict=True)
        )
        key = estimates[0][index].key
        return f'<tr data-line="{key}"><th scope="row">{_e(cost_label(key, lang))}</th>{cells}</tr>'

    def total_row(key: str, label: str, texts: bool) -> str:
        totals = "".join(
            f'<td class="lobby-empty"></td><td class="lobby-number" data-label="{_e(translate(lang, "costs.usage", volume=f"{volume:,}"))}">'
            f"<strong>{_e(_dollars(bill(lines, texts=texts)))}</strong></td>"
            for volume, lines in zip(volumes, estimates, strict=True)
        )
        return f'<tr data-line="{key}"><th scope="row">{_e(translate(lang, label))}</th>{totals}</tr>'

    # Every line but the texts, and their total (the bill the target is about); then the texts, which
    # each resident chooses and the carriers price per message, and the total with them.
    texts = [index for index, line in enumerate(estimates[0]) if line.key == TEXTS]
    rows = [line_row(index) for index in range(len(estimates[0])) if index not in texts]
    rows.append(total_row("total", "costs.total", texts=False))
    rows.extend(line_row(index) for index in texts)
    rows.append(total_row("total-with-texts", "costs.total_with_texts", texts=True))
    caption = translate(lang, "costs.caption", region=model["region"])
    return (
        f'<div class="lobby-table-wrap"><table class="lobby-cost-table"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


# Each assumption: where bench/bench_cost.py put its figure, and the scale it is shown at; its words are
# the message catalog's costs.assumption.<key> (a key ending in _fixed reads the fixed block).
_ASSUMPTIONS: dict[str, tuple[str, float]] = {
    "api_calls": ("per_request", 1),
    "lambda_invocations": ("per_request", 1),
    "lambda_gb_seconds": ("per_request", 1),
    "dynamodb_write_units": ("per_request", 1),
    "dynamodb_read_units": ("per_request", 1),
    "emails": ("per_request", 1),
    "texts": ("per_request", 1),
    "table_gb_months": ("per_request", 1e6),
    "index_gb_months": ("per_request", 1e6),
    "lambda_invocations_fixed": ("fixed", 1),
    "page_views": ("site", 1),
    "page_kb": ("site", 1),
}


def render_cost_assumptions(lang: str) -> str:
    """What the cost table is computed from: the measured figures per request and per month, and the estimates."""
    model = load_cost_model()
    items = "".join(
        f"<li>{_e(translate(lang, f'costs.assumption.{key}', n=_amount(float(model[block][key.removesuffix('_fixed')]) * scale)))}</li>"
        for key, (block, scale) in _ASSUMPTIONS.items()
    )
    return f'<ul class="lobby-cost-assumptions">{items}</ul>'

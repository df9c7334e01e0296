"""The director's monthly report: the headline figures, the tables, how they are counted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lobby import policy
from lobby.catalog import Catalog
from lobby.mail import Attachment, Mail
from lobby.settings import Settings
from lobby.stats import MONTHLY_MARKER_ROLE, MonthlyStatistics, Timeliness
from views.channels import sent_summary
from views.emails.bodies import Table, render
from views.emails.monthly_csv import mean_text, statistics_csv
from views.messages import translate
from views.wording import duration_text, format_local

ALL_PERCENT = 100  # a kind followed up in full


def month_text(month: str, lang: str) -> str:
    """A report month (``2026-11``) as words: "2026年11月" / "November 2026"."""
    year, number = (int(part) for part in month.split("-"))
    return translate(
        lang, "month", year=year, month=number, month_name=translate(lang, f"month.long.{number}")
    )


def percent_text(value: float | None, lang: str) -> str:
    return translate(lang, "monthly.no_figure") if value is None else f"{value:.1f} %"


def _rate_text(timeliness: Timeliness, lang: str) -> str:
    if not timeliness.measured:
        return translate(lang, "monthly.no_figure")
    return translate(
        lang,
        "monthly.rate",
        percent=percent_text(timeliness.percent, lang),
        on_time=timeliness.on_time,
        measured=timeliness.measured,
    )


def _category_name(catalog: Catalog, kind: str, category: str, lang: str) -> str:
    try:
        choice = catalog.choices(catalog.kinds[kind].field("category")).get(category)
    except KeyError:
        return category
    return choice(lang) if choice else category


def _kind_name(catalog: Catalog, kind: str, lang: str) -> str:
    if kind == "all":
        return translate(lang, "monthly.all_kinds")
    return catalog.kinds[kind].name(lang) if kind in catalog.kinds else kind


def _office_name(catalog: Catalog, office: str, lang: str) -> str:
    return catalog.offices[office].name(lang) if office in catalog.offices else office


def _limited(rows: list[list[str]], lang: str) -> tuple[list[list[str]], str]:
    if len(rows) <= policy.MONTHLY_LIST_LIMIT:
        return rows, ""
    return rows[: policy.MONTHLY_LIST_LIMIT], translate(
        lang, "monthly.more_in_csv", n=len(rows) - policy.MONTHLY_LIST_LIMIT
    )


def report_tables(catalog: Catalog, stats: MonthlyStatistics, lang: str) -> list[Table]:
    time_zone = catalog.property.time_zone

    def kind(kind_id: str) -> str:
        return _kind_name(catalog, kind_id, lang)

    def office(office_id: str) -> str:
        return _office_name(catalog, office_id, lang)

    def c(key: str) -> str:
        return translate(lang, f"monthly.{key}")

    tables = [
        Table(
            c("t_counts"),
            [c("c_kind"), c("c_office"), c("c_received")],
            [[kind(k), office(o), str(n)] for (k, o), n in stats.by_kind_office.items()]
            + [[c("all_kinds"), "", str(stats.total.received)]],
        ),
        Table(
            c("t_outcomes"),
            [
                c(key)
                for key in (
                    "c_kind",
                    "c_received",
                    "c_handled",
                    "c_open",
                    "c_cancelled",
                    "c_reopened",
                    "c_ack",
                    "c_resolve",
                )
            ],
            [
                [
                    kind(figures.kind),
                    str(figures.received),
                    str(figures.handled),
                    str(figures.still_open),
                    str(figures.cancelled),
                    str(figures.reopened),
                    _rate_text(figures.acknowledge, lang),
                    _rate_text(figures.resolve, lang),
                ]
                for figures in [*[f for f in stats.kinds.values() if f.received], stats.total]
            ],
            note=c("note_on_time"),
        ),
        Table(
            c("t_coverage"),
            [c(key) for key in ("c_kind", "c_rule", "c_required", "c_done", "c_coverage", "c_met")],
            [
                [
                    kind(coverage.kind),
                    translate(lang, "monthly.rule_all", percent=ALL_PERCENT)
                    if coverage.rule == "all"
                    else translate(
                        lang, "monthly.rule_sampled", n=coverage.work_orders, required=coverage.required
                    ),
                    str(coverage.required),
                    str(coverage.done),
                    percent_text(coverage.percent, lang),
                    c("met_yes") if coverage.met else c("met_no"),
                ]
                for coverage in stats.coverage
                if coverage.required  # a kind with nothing to follow up this month has no row to read
            ],
            empty=c("none"),
            note=translate(
                lang,
                "monthly.note_coverage",
                small=policy.FIXED_SMALL,
                low=policy.LOW_BAND_PERCENT,
                high=policy.HIGH_BAND_PERCENT,
                large=policy.FIXED_LARGE,
                low_from=policy.LOW_BAND_FROM,
                low_to=policy.LOW_BAND_TO,
                high_from=policy.LOW_BAND_TO + 1,
                high_to=policy.LARGE_FROM - 1,
                large_from=policy.LARGE_FROM,
            ),
        ),
        Table(
            c("t_satisfaction"),
            [c(key) for key in ("c_kind", "c_rated", "c_satisfied", "c_quality", "c_effect", "c_attitude")],
            [
                [
                    kind(s.kind),
                    str(s.rated),
                    percent_text(s.satisfied_percent, lang),
                    *[mean_text(s.mean(scale)) or "–" for scale in policy.RATING_SCALES],
                ]
                for s in [*stats.satisfaction.values(), stats.satisfaction_total]
                if s.rated
            ],
            empty=c("none"),
        ),
    ]
    for key, kind_id, flags in (
        ("monthly.t_repeat_complaints", "complaint", stats.repeat_complaints),
        ("monthly.t_repeat_repairs", "repair", stats.repeat_repairs),
    ):
        tables.append(
            Table(
                translate(lang, key, times=policy.REPEAT_THRESHOLDS[kind_id]),
                [c("c_location"), c("c_category"), c("c_times"), c("c_references")],
                [
                    [
                        flag.location,
                        _category_name(catalog, flag.kind, flag.category, lang),
                        str(len(flag.references)),
                        " ".join(flag.references),
                    ]
                    for flag in flags
                ],
                empty=c("none"),
            )
        )
    tables.append(
        Table(
            c("t_failed"),
            [c("c_reference"), c("c_kind"), c("c_office"), c("c_location"), c("c_when")],
            [
                [f.reference, kind(f.kind), office(f.office), f.location, _local(f.at, time_zone, lang)]
                for f in stats.failed_follow_ups
            ],
            empty=c("none"),
        )
    )
    overdue_rows, more = _limited(
        [
            [
                o.reference,
                kind(o.kind),
                office(o.office),
                o.location,
                _local(o.due, time_zone, lang),
                duration_text(o.late, lang),
            ]
            for o in stats.overdue
        ],
        lang,
    )
    tables.append(
        Table(
            c("t_overdue"),
            [c(key) for key in ("c_reference", "c_kind", "c_office", "c_location", "c_due", "c_late")],
            overdue_rows,
            empty=c("none_overdue"),
            note=more,
        )
    )
    return tables


def _local(moment: datetime, time_zone: str, lang: str) -> str:
    return format_local(moment, lang, time_zone)


def monthly_mail(
    catalog: Catalog, settings: Settings, stats: MonthlyStatistics, sent: Mapping[str, int] | None = None
) -> tuple[Mail, Attachment]:
    """The director's e-mail (the director of the service office) and its CSV attachment; ``sent`` counts
    the month's messages by channel (lobby.channel_counts)."""

    prop = catalog.property
    lang = prop.staff_language
    month = month_text(stats.month, lang)
    director = catalog.offices[prop.service_office].director or prop.service_office
    subject = translate(
        lang,
        "monthly.subject",
        month=month,
        received=stats.total.received,
        overdue=len(stats.overdue),
        flags=stats.red_flag_count,
    )
    satisfaction = stats.satisfaction_total
    headline = [
        (translate(lang, "monthly.h_received"), translate(lang, "monthly.items", n=stats.total.received)),
        (translate(lang, "monthly.h_ack"), _rate_text(stats.total.acknowledge, lang)),
        (translate(lang, "monthly.h_resolve"), _rate_text(stats.total.resolve, lang)),
        (translate(lang, "monthly.h_overdue"), translate(lang, "monthly.items", n=len(stats.overdue))),
        (
            translate(lang, "monthly.h_satisfied"),
            translate(
                lang,
                "monthly.rated",
                percent=percent_text(satisfaction.satisfied_percent, lang),
                n=satisfaction.rated,
            )
            if satisfaction.rated
            else translate(lang, "monthly.no_figure"),
        ),
        (translate(lang, "monthly.h_flags"), translate(lang, "monthly.items", n=stats.red_flag_count)),
        (
            translate(lang, "monthly.h_spot_checks"),
            translate(lang, "list.separator").join(
                translate(
                    lang,
                    "monthly.spot_check",
                    office=catalog.offices[office].name(lang),
                    n=figures.drawn,
                    recorded=figures.recorded,
                    reached=figures.reached,
                    satisfied=figures.satisfied,
                )
                for office, figures in stats.spot_checks.items()
                if office in catalog.offices
            )
            or translate(lang, "monthly.no_figure"),
        ),
    ]
    if sent:
        headline.append((translate(lang, "monthly.h_sent"), sent_summary(sent, lang)))
    context = {
        "lang": lang,
        "subject": subject,
        "property_name": prop.name(lang),
        "heading": translate(lang, "monthly.heading", month=month),
        "intro": translate(
            lang, "monthly.intro", month=month, now=_local(stats.generated_at, prop.time_zone, lang)
        ),
        "headline_heading": translate(lang, "monthly.headline"),
        "headline": headline,
        "tables": report_tables(catalog, stats, lang),
        "notes_heading": translate(lang, "monthly.notes_heading"),
        "notes": [translate(lang, "monthly.note_flags")],
        "footer": translate(lang, "monthly.footer"),
    }
    text, html = render("monthly", context)
    mail = Mail(
        role=MONTHLY_MARKER_ROLE, to=settings.office_email(director), subject=subject, text=text, html=html
    )
    attachment = Attachment(
        filename=f"lobby-statistics-{prop.id}-{stats.month}.csv",
        content=statistics_csv(stats, prop.time_zone),
        content_type="text/csv",
    )
    return mail, attachment

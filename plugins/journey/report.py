"""The outcomes report for a period: pure domain (a database in, figures out; no hub, no Textual).

Every figure about people is a set of resident ids, so people are counted once however many
rows they have (several outcomes, many contacts, leaving and coming back), and each figure can
be opened to the residents behind it. Definitions are in docs/journey.md; the short version is
in each figure's ``note``.

``build_report(db, period, ...)`` is the entry point; ``service.run_report(hub, ...)`` adds the
permission check, the passport sync and other plugins' figures.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from hub.api import STATUSES, age_on
from plugins.journey.model import BUILTIN_OUTCOME_KINDS, ENGAGED_OUTCOMES, OutcomeKind, ReportFigure
from plugins.journey.spells import OutcomeEvent, load_checks, spell_events, training_events

if TYPE_CHECKING:
    from sqlite_utils import Database

ENGAGED_SQL = "('" + "', '".join(sorted(ENGAGED_OUTCOMES)) + "')"
BONUSES_PAID = "bonuses_paid"
REFERRALS_MADE = "referrals.made"
REFERRALS_COMPLETED = "referrals.completed"
PLACEHOLDERS = {BONUSES_PAID: "Bonuses", REFERRALS_MADE: "Referrals", REFERRALS_COMPLETED: "Referrals"}
"""Figures the report always shows, filled in by the plugin that knows them (``journey_report_figures``)."""
"""The figure key a bonus plugin uses in ``journey_report_figures`` for bonuses paid."""

SECTIONS = ("Residents", "Engagement", "Outcomes", "Jobs", "Referrals", "Bonuses")


# -- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    @classmethod
    def quarter_of(cls, day: date) -> "Period":
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        end = _add_months(start, 3) - timedelta(days=1)
        return cls(start, end)

    @classmethod
    def last_quarter(cls, today: date | None = None) -> "Period":
        """The latest complete calendar quarter."""
        today = today or date.today()
        return cls.quarter_of(cls.quarter_of(today).start - timedelta(days=1))

    def shift_quarters(self, count: int) -> "Period":
        """The quarter ``count`` quarters from the one this period starts in."""
        return Period.quarter_of(_add_months(Period.quarter_of(self.start).start, 3 * count))

    def months(self) -> list[str]:
        months, month = [], date(self.start.year, self.start.month, 1)
        while month <= self.end:
            months.append(month.strftime("%Y-%m"))
            month = _add_months(month, 1)
        return months

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{_uk(self.start)} to {_uk(self.end)}"

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _add_months(day: date, count: int) -> date:
    index = day.month - 1 + count
    return date(day.year + index // 12, index % 12 + 1, 1)


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# -- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One line of the report."""

    key: str
    label: str
    section: str
    value: float | int | None
    """What is shown: a count of people or homes, a percentage, a median in days; None when unknown."""
    unit: str = "people"
    """"people", "homes", "percent" or "days"."""
    residents: frozenset[int] | None = None
    """The residents behind the figure (None when it is not about residents)."""
    note: str = ""
    amount: float | None = None
    """An extra total a plugin gives (e.g. pounds of bonuses paid)."""
    plugin: str = "journey"

    @property
    def openable(self) -> bool:
        return self.residents is not None

    def shown(self) -> str:
        if self.value is None:
            return "-"
        if self.unit == "percent":
            text = f"{self.value:.1f}%"
        elif self.unit == "days":
            text = f"{self.value:g} days"
        else:
            text = f"{self.value:,}" if isinstance(self.value, int) else f"{self.value:,g}"
        if self.amount is not None:
            text += f" (£{self.amount:,.2f})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The figure without the residents behind it (safe to print or send)."""
        return {"section": self.section, "key": self.key, "label": self.label, "value": self.value, "unit": self.unit,
                "amount": self.amount, "note": self.note, "source": self.plugin}


@dataclass(frozen=True)
class MonthPoint:
    month: str
    """YYYY-MM"""
    engaged: int
    """People engaged that month: residents (as in the 'Residents engaged' figure) plus homes engaged
    by the engagement log that are not linked to a resident."""
    job_starts: int
    """Residents with a job start that month."""
    in_period: bool


@dataclass
class Report:
    period: Period
    figures: list[Figure]
    trend: list[MonthPoint]
    generated_at: str
    youth_ages: tuple[int, int]
    youth: frozenset[int]
    """Residents in the subgroup (age at registration within ``youth_ages``)."""
    days_to_job: dict[int, int] = field(default_factory=dict)
    """Days from registration to first job start, for residents whose first job start is in the period."""
    problems: list[str] = field(default_factory=list)
    """Plugin contributions that were skipped, and why."""
    events: list[OutcomeEvent] = field(default_factory=list)
    """The outcome events the figures were counted from (for the de-identified export)."""
    registered_on: dict[int, date] = field(default_factory=dict)
    referrals: list[Any] = field(default_factory=list)
    """Referrals made in the period (hub.records.ReferralRecord, from the core's ``referral_records``), for the export."""

    def figure(self, key: str) -> Figure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    def keys(self) -> list[str]:
        return [figure.key for figure in self.figures]

    def sections(self) -> list[tuple[str, list[Figure]]]:
        order: dict[str, list[Figure]] = {}
        for figure in self.figures:
            order.setdefault(figure.section, []).append(figure)
        return list(order.items())

    @property
    def youth_section(self) -> str:
        return f"Aged {self.youth_ages[0]}-{self.youth_ages[1]} at registration"

    def add_plugin_figures(self, contributed: Iterable[tuple[str, ReportFigure | Mapping[str, Any]]]) -> None:
        """Add other plugins' figures (and their subgroup versions); a bad one is skipped with the reason."""
        youth_extra: list[Figure] = []
        for plugin, value in contributed:
            try:
                figure = figure_from(value, plugin)
            except (TypeError, ValueError) as exc:
                self.problems.append(f"{plugin}: {exc}")
                continue
            keys = self.keys()
            if figure.key in PLACEHOLDERS and figure.key in keys and self.figure(figure.key).plugin == "journey":
                figure = replace(figure, section=PLACEHOLDERS[figure.key])  # fills in the "not reported" placeholder
                self.figures[keys.index(figure.key)] = figure
            else:
                if figure.key in keys:
                    figure = replace(figure, key=f"{plugin}.{figure.key}")
                if figure.key in keys:
                    self.problems.append(f"{plugin}: figure {figure.key!r} is already in the report")
                    continue
                youth_at = next((i for i, f in enumerate(self.figures) if f.section == self.youth_section), len(self.figures))
                self.figures.insert(youth_at, figure)
            if figure.residents is not None and figure.unit == "people":
                ids = figure.residents & self.youth
                youth_extra.append(replace(figure, key=f"youth.{figure.key}", section=self.youth_section, residents=ids,
                                           value=len(ids), amount=None))
        self.figures.extend(youth_extra)

    def as_dict(self) -> dict[str, Any]:
        """The report as counts only: no resident ids, no names."""
        return {
            "period": self.period.as_dict(),
            "generated_at": self.generated_at,
            "figures": [figure.as_dict() for figure in self.figures],
            "trend": [{"month": p.month, "engaged": p.engaged, "job_starts": p.job_starts, "in_period": p.in_period}
                      for p in self.trend],
            "problems": list(self.problems),
        }


def figure_from(value: ReportFigure | Mapping[str, Any], plugin: str) -> Figure:
    """A report Figure from a plugin's ReportFigure (or a dict with the same keys)."""
    if isinstance(value, ReportFigure):
        data = {name: getattr(value, name) for name in ("key", "label", "resident_ids", "amount", "unit", "note", "section")}
    elif isinstance(value, Mapping):
        data = dict(value)
        unknown = set(data) - {"key", "label", "resident_ids", "amount", "unit", "note", "section", "value"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
    else:
        raise TypeError(f"expected a ReportFigure or a dict, got {type(value).__name__}")
    key, label = data.get("key"), data.get("label")
    if not isinstance(key, str) or not key.strip() or not isinstance(label, str) or not label.strip():
        raise ValueError("a figure needs a key and a label")
    unit = data.get("unit") or "people"
    if unit not in ("people", "homes", "percent", "days", "count"):
        raise ValueError(f"figure {key!r}: unknown unit {unit!r}")
    ids = data.get("resident_ids")
    residents = None
    if ids is not None:
        try:
            residents = frozenset(int(i) for i in ids)
        except (TypeError, ValueError):
            raise ValueError(f"figure {key!r}: resident_ids must be whole numbers") from None
    value_given = data.get("value")
    amount = data.get("amount")
    if amount is not None and not isinstance(amount, (int, float)):
        raise ValueError(f"figure {key!r}: amount must be a number")
    if unit == "people":
        if residents is None:
            raise ValueError(f"figure {key!r}: a figure about people must give resident_ids (counted once each)")
        value = len(residents)
    else:
        value = value_given
    return Figure(key=key.strip(), label=label.strip(), section=str(data.get("section") or "Other"), value=value,
                  unit=unit, residents=residents, note=str(data.get("note") or ""),
                  amount=float(amount) if amount is not None else None, plugin=plugin)


# -- building the report ---------------------------------------------------------------------------


def _ids(db: "Database", sql: str, params: Sequence[Any]) -> set[int]:
    return {row[0] for row in db.execute(sql, list(params))}


def _has(db: "Database", table: str) -> bool:
    return table in db.table_names()


def build_report(
    db: "Database",
    period: Period,
    *,
    kinds: Mapping[str, OutcomeKind] = BUILTIN_OUTCOME_KINDS,
    homes_in_area: int = 0,
    youth_ages: tuple[int, int] = (16, 24),
    today: date | None = None,
    trend_months: int = 12,
    training_from_passport: bool = True,
) -> Report:
    """Every figure for ``period`` (see docs/journey.md for each definition).

    ``training_from_passport`` False leaves out "into training or education" from passport courses
    (the site's setting of the same name); recorded ones still count."""
    today = today or date.today()
    start, end = period.start.isoformat(), period.end.isoformat()
    after = (period.end + timedelta(days=1)).isoformat()
    journey = _has(db, "journey_engagements")

    residents: dict[int, tuple[date, str | None, str | None]] = {}
    for rid, registered_at, born, status in db.execute(
        "select id, substr(registered_at, 1, 10), date_of_birth, status_at_registration from residents"
    ):
        residents[rid] = (date.fromisoformat(registered_at), born, status)
    registered_on = {rid: info[0] for rid, info in residents.items()}
    low, high = youth_ages
    youth = frozenset(
        rid for rid, (joined, born, _) in residents.items()
        if born and low <= age_on(date.fromisoformat(born), joined) <= high
    )

    figures: list[Figure] = []

    def people(key: str, label: str, section: str, ids: Iterable[int], note: str = "") -> None:
        ids = frozenset(ids)
        figures.append(Figure(key, label, section, len(ids), "people", ids, note))

    # Residents
    registered = {rid for rid, joined in registered_on.items() if period.contains(joined)}
    contacted = _ids(db, "select distinct resident_id from contacts where contact_date >= ? and contact_date <= ?", [start, end])
    linked = assessed = set()
    if journey:
        linked = _ids(db, "select distinct resident_id from journey_engagements where resident_id is not null "
                          "and engaged_on >= ? and engaged_on <= ?", [start, end])
        assessed = _ids(db, "select distinct resident_id from journey_assessments where assessed_on >= ? and assessed_on <= ?",
                        [start, end])
    engaged = registered | contacted | linked | assessed
    people("engaged", "Residents engaged", "Residents", engaged,
           "registered, or had a contact, a linked engagement-log contact or an assessment in the period")
    people("registered", "Registered", "Residents", registered)
    for status, label in [*STATUSES.items(), (None, "Status not recorded")]:
        ids = {rid for rid in registered if residents[rid][2] == status}
        if status is None and not ids:
            continue
        people(f"registered.{status or 'unknown'}", f"Registered: {label.split(' (')[0].lower()}", "Residents", ids,
               "status at registration")

    # Engagement (homes, from the engagement log)
    if journey:
        rows = list(db.execute("select home_key, outcome, resident_id from journey_engagements "
                               "where engaged_on >= ? and engaged_on <= ?", [start, end]))
        contacted_homes = {row[0] for row in rows}
        engaged_rows = [row for row in rows if row[1] in ENGAGED_OUTCOMES]
        engaged_homes = {row[0] for row in engaged_rows}
        to_date = db.execute(f"select count(distinct home_key) from journey_engagements where engaged_on <= ? "
                             f"and outcome in {ENGAGED_SQL}", [end]).fetchone()[0]
    else:
        rows, contacted_homes, engaged_rows, engaged_homes, to_date = [], set(), [], set(), 0
    contacted_residents = frozenset(row[2] for row in rows if row[2] is not None)
    engaged_residents = frozenset(row[2] for row in engaged_rows if row[2] is not None)
    figures.append(Figure("homes_contacted", "Homes contacted", "Engagement", len(contacted_homes), "homes",
                          contacted_residents, "any contact in the engagement log, including nobody in and leaflets left"))
    figures.append(Figure("households_engaged", "Households engaged", "Engagement", len(engaged_homes), "homes",
                          engaged_residents, "homes where someone talked with us, was interested or signed up; "
                          "opens to the residents linked to them"))
    figures.append(Figure("households_engaged_to_date", "Households engaged, ever (to period end)",
                          "Engagement", to_date, "homes", None))
    reach_note = f"of {homes_in_area:,} homes in the area" if homes_in_area else "set homes_in_area in the site file"
    figures.append(Figure("reach", "Engagement reach in the period", "Engagement",
                          round(100 * len(engaged_homes) / homes_in_area, 1) if homes_in_area else None, "percent",
                          None, reach_note))
    figures.append(Figure("reach_to_date", "Engagement reach to date", "Engagement",
                          round(100 * to_date / homes_in_area, 1) if homes_in_area else None, "percent", None, reach_note))

    # Outcomes
    events = outcome_events(db, period, registered_on, today, training_from_passport=training_from_passport)
    by_kind: dict[str, set[int]] = {kind: set() for kind in kinds}
    for event in events:
        if period.contains(event.on):
            by_kind.setdefault(event.kind, set()).add(event.resident_id)
    for kind, ids in by_kind.items():
        label = kinds[kind].label if kind in kinds else f"{kind} (kind no longer defined)"
        people(f"outcome.{kind}", label, "Outcomes", ids)
    people("outcome.any", "Residents with any outcome", "Outcomes", set().union(*by_kind.values()) if by_kind else set())

    # Jobs: days from registration to the first job start (after registering)
    first_job: dict[int, date] = {}
    for event in events:
        if event.kind == "job_start" and event.on >= registered_on.get(event.resident_id, date.max):
            if event.resident_id not in first_job or event.on < first_job[event.resident_id]:
                first_job[event.resident_id] = event.on
    days_to_job = {rid: (day - registered_on[rid]).days for rid, day in first_job.items() if period.contains(day)}
    figures.append(_median_figure("median_days_to_job", "Jobs", days_to_job))

    # Referrals: the signposting plugin (or another) fills these in through journey_report_figures
    figures.append(Figure(REFERRALS_MADE, "Referrals made", "Referrals", None, "people", None,
                          "no plugin reports referrals here (the signposting plugin adds this figure)"))
    figures.append(Figure(REFERRALS_COMPLETED, "Referrals completed", "Referrals", None, "people", None,
                          "no plugin reports referrals here (the signposting plugin adds this figure)"))

    figures.append(Figure(BONUSES_PAID, "Bonuses paid", "Bonuses", None, "people", None,
                          "no plugin reports bonuses here (the bonus plugin adds this figure)"))

    report = Report(period, figures, [], datetime.now(timezone.utc).isoformat(timespec="seconds"), youth_ages, youth,
                    days_to_job, events=events, registered_on=registered_on)
    report.figures += youth_figures(report)
    report.trend = monthly_trend(db, period, registered_on, events, trend_months=trend_months)
    return report


def _median_figure(key: str, section: str, days: Mapping[int, int]) -> Figure:
    value = statistics.median(days.values()) if days else None
    return Figure(key, "Median days, registration to first job", section, value, "days", frozenset(days),
                  f"{len(days)} resident{'s' if len(days) != 1 else ''} whose first job start after registering was in the period")


def youth_figures(report: Report) -> list[Figure]:
    """The subgroup's versions of every figure about residents (and its own median)."""
    youth = report.youth
    section = report.youth_section
    out = []
    for figure in report.figures:
        if figure.residents is None or figure.unit != "people":
            continue
        ids = figure.residents & youth
        out.append(replace(figure, key=f"youth.{figure.key}", section=section, residents=ids, value=len(ids), amount=None))
    out.append(_median_figure("youth.median_days_to_job", section, {r: d for r, d in report.days_to_job.items() if r in youth}))
    return out


def outcome_events(db: "Database", period: Period, registered_on: Mapping[int, date], today: date, *,
                   training_from_passport: bool = True) -> list[OutcomeEvent]:
    """Outcomes recorded by staff (in the period, plus every job start for the first-job figure), from passport
    jobs, and from passport courses starting in the period (unless ``training_from_passport`` is False)."""
    events: list[OutcomeEvent] = []
    if not _has(db, "journey_outcomes"):
        return events
    for rid, kind, day, outcome_id, evidence in db.execute(
        "select resident_id, kind, outcome_date, id, evidence from journey_outcomes where withdrawn = 0 "
        "and ((outcome_date >= ? and outcome_date <= ?) or kind = 'job_start')",
        [period.start.isoformat(), period.end.isoformat()],
    ):
        events.append(OutcomeEvent(rid, kind, date.fromisoformat(day), "recorded", outcome_id, evidence))
    spells = list(db.query("select resident_id, entry_id, start_date, end_date, confirmed_on from journey_spells"))
    if spells:
        events += spell_events(spells, load_checks(db), registered_on, today, sustained_within=(period.start, period.end))
    if training_from_passport and _has(db, "journey_training"):
        courses = db.query("select resident_id, entry_id, start_date from journey_training "
                           "where start_date >= ? and start_date <= ? order by start_date, entry_id",
                           [period.start.isoformat(), period.end.isoformat()])
        events += training_events(courses, registered_on, today, recorded=events)
    return events


def monthly_trend(db: "Database", period: Period, registered_on: Mapping[int, date], events: Sequence[OutcomeEvent],
                  *, trend_months: int = 12) -> list[MonthPoint]:
    """People engaged and residents starting jobs, by month: the period's months, or the
    ``trend_months`` ending with it when the period is shorter."""
    months = period.months()
    if len(months) < trend_months:
        first = _add_months(date(period.end.year, period.end.month, 1), 1 - trend_months)
        months = Period(first, period.end).months()
    first_day = months[0] + "-01"
    last_day = period.end.isoformat()
    after = (period.end + timedelta(days=1)).isoformat()
    # One pass in SQLite: who (a resident id, or a home not linked to anyone) was engaged in which month.
    parts = [
        "select substr(registered_at, 1, 7) as month, id as who from residents where registered_at >= :first and registered_at < :after",
        "select substr(contact_date, 1, 7), resident_id from contacts where contact_date >= :first and contact_date <= :last",
    ]
    if _has(db, "journey_engagements"):
        parts += [
            "select substr(assessed_on, 1, 7), resident_id from journey_assessments where assessed_on >= :first and assessed_on <= :last",
            "select substr(engaged_on, 1, 7), coalesce(resident_id, 'home:' || home_key) from journey_engagements "
            f"where engaged_on >= :first and engaged_on <= :last and (resident_id is not null or outcome in {ENGAGED_SQL})",
        ]
    engaged = dict(db.execute(
        f"select month, count(distinct who) from ({' union all '.join(parts)}) group by month",
        {"first": first_day, "last": last_day, "after": after},
    ).fetchall())
    starts: dict[str, set[int]] = {month: set() for month in months}
    for event in events:
        if event.kind == "job_start" and event.on <= period.end:
            month = f"{event.on.year:04d}-{event.on.month:02d}"
            if month in starts:
                starts[month].add(event.resident_id)
    in_period = set(period.months())
    return [MonthPoint(month, engaged.get(month, 0), len(starts[month]), month in in_period) for month in months]


# -- reading a report ------------------------------------------------------------------------------


def format_report(report: Report, *, width: int = 72) -> list[str]:
    """The report as lines of text (the CLI prints these; the figures only, no names)."""
    lines = [f"Outcomes report: {report.period.label}"]
    for section, figures in report.sections():
        lines.append("")
        lines.append(section)
        for figure in figures:
            label = figure.label
            shown = figure.shown()
            pad = max(width - len(label) - len(shown) - 2, 1)
            lines.append(f"  {label}{' ' * pad}{shown}")
    for problem in report.problems:
        lines.append(f"! skipped: {problem}")
    return lines


def residents_behind(db: "Database", figure: Figure) -> list[dict[str, Any]]:
    """The residents behind a figure: id, name, registration date and status (for staff allowed to see them)."""
    from hub.api import display_name

    if figure.residents is None:
        raise ValueError(f"the figure {figure.label!r} is not about residents")
    ids = sorted(figure.residents)
    out: list[dict[str, Any]] = []
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for row in db.query(
            f"select id, name, preferred_name, registered_at, status_at_registration, erased_at from residents "
            f"where id in ({', '.join('?' for _ in part)})", part,
        ):
            out.append({
                "id": row["id"],
                "name": display_name(row),
                "registered_on": row["registered_at"][:10],
                "status_at_registration": row["status_at_registration"],
                "erased": bool(row["erased_at"]),
            })
    return sorted(out, key=lambda row: row["id"])

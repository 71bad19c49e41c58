"""The office's period report: Biểu 01/TCD, Biểu 01/XLD and the narrative, with the same period a
year earlier, the change, and the records behind every figure.

``office_report`` reads one period and its previous-year twin (storage.report_queries: six
aggregate statements per period) and returns a frozen ``OfficeReport``; ``report_json`` is the
statistics JSON of ``reception-desk report`` (services.statistics.period_report, key for key)
plus ``tcd``, ``xld`` and ``narrative``. Every figure has a stable key (domain.report_forms);
``figure_records`` pages through the records behind it and ``figure_count`` recomputes it from
those records. File formats (PDF, XLSX, DOCX) are written by functions registered in
``EXPORTERS``; see docs/reports.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Engine

from reception_desk.domain.enums import (
    CaseStatus,
    Channel,
    HandlingDirection,
    PetitionKind,
    ReceptionMode,
    SessionKind,
)
from reception_desk.domain.narrative import Narrative, narrative, prose_name
from reception_desk.domain.periods import ReportPeriod, describe_period, format_day, shift_period
from reception_desk.domain.report_forms import (
    FIELD_PREFIX,
    FIELD_UNSET_LABEL,
    REPORT_KINDS,
    FigureDef,
    FormColumn,
    RecordKind,
    field_figure,
    figure_def,
    figure_definitions,
)
from reception_desk.services.errors import ValidationError
from reception_desk.services.settings import OfficeSettings, load_office_settings
from reception_desk.services.statistics import RECEPTION_GROUPS as STAT_GROUPS
from reception_desk.services.statistics import _reception_group, difference, validate_period
from reception_desk.services.visibility import (
    CONFIDENTIAL_CASE_KINDS,
    CONFIDENTIAL_SIGNER,
    Viewer,
    may_see_identity,
    signer_display,
)
from reception_desk.storage import report_queries
from reception_desk.storage.report_queries import PeriodFigures, RecordKey

PAGE_SIZE = 200
MAX_PAGE = 5000

# --- file exports (filled by the export modules) -----------------------------------------------

Exporter = Callable[["OfficeReport", Path], None]
# Format ("pdf", "xlsx", "docx") → the function that writes the report to a file. The export
# modules register their writers here (``register_exporter``); the CLI and the GUI look them up and
# tell the user in Vietnamese when a format has no writer.
EXPORTERS: dict[str, Exporter] = {}
FILE_FORMATS: tuple[str, ...] = ("pdf", "xlsx", "docx")


def register_exporter(fmt: str, writer: Exporter) -> None:
    if fmt not in FILE_FORMATS:
        raise ValueError(f"định dạng không hợp lệ “{fmt}” (cho phép: {', '.join(FILE_FORMATS)})")
    EXPORTERS[fmt] = writer


def exporter(fmt: str) -> Exporter:
    """The writer registered for ``fmt``; ValidationError (Vietnamese) when there is none."""
    writer = EXPORTERS.get(fmt)
    if writer is None:
        available = ", ".join(["json", *sorted(EXPORTERS)])
        raise ValidationError(f"Định dạng không được hỗ trợ trong bản này: “{fmt}” (chưa có bộ ghi tệp "
                              f"{fmt.upper()}; hiện có: {available}).")
    return writer


def export_report(report: OfficeReport, fmt: str, path: Path) -> None:
    """Write ``report`` to ``path`` with the writer registered for ``fmt``."""
    exporter(fmt)(report, path)


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of the report: this period, the same dates a year earlier, and the change."""

    key: str
    label: str
    unit: str
    value: int
    previous: int
    form: str | None = None
    columns: tuple[int, ...] = ()

    @property
    def change(self) -> int:
        return self.value - self.previous


@dataclass(frozen=True)
class OfficeReport:
    """A period's report, ready for the JSON, the file exports and the report window.

    ``current`` / ``previous`` hold every figure by key (domain.report_forms); a field (lĩnh vực)
    seen in only one of the two periods is 0 in the other. ``statistics`` is the JSON of
    services.statistics.period_report for the same period, key for key.
    """

    period: ReportPeriod
    previous_period: ReportPeriod
    current: Mapping[str, int]
    previous: Mapping[str, int]
    field_labels: Mapping[str, str]
    statistics: Mapping[str, Any]
    narrative: Narrative
    office: OfficeSettings = field(default_factory=OfficeSettings)

    @property
    def definitions(self) -> tuple[FigureDef, ...]:
        """Every figure of this report, in report order (fields last, by key)."""
        return figure_definitions(dict(self.field_labels))

    def figure(self, key: str) -> Figure:
        definition = self._definition(key)
        return Figure(definition.key, definition.label, definition.unit, self.current.get(definition.key, 0),
                      self.previous.get(definition.key, 0), definition.form, definition.columns)

    def figures(self, prefix: str = "") -> list[Figure]:
        """The figures whose key starts with ``prefix`` ("tcd.", "xld.handling."), in report order."""
        return [self.figure(d.key) for d in self.definitions if d.key.startswith(prefix)]

    def column_value(self, column: FormColumn, *, previous: bool = False) -> int:
        """A form column's number: the sum of its figures."""
        source = self.previous if previous else self.current
        return sum(source.get(key, 0) for key in column.keys)

    def _definition(self, key: str) -> FigureDef:
        try:
            definition = figure_def(key)
        except ValueError as exc:
            raise ValidationError(f"Không có số liệu “{key}” trong báo cáo.") from exc
        if definition.key.startswith(FIELD_PREFIX):
            # the field's own spelling as label; a field not seen in either period reads 0
            slug = definition.key.removeprefix(FIELD_PREFIX)
            return field_figure(slug, self.field_labels.get(slug))
        return definition


def _statistics_figures(values: Mapping[str, int]) -> dict[str, Any]:
    """The issue-3 statistics figures ({"reception", "petitions"}), shaped by services.statistics."""
    reception = {}
    for group in STAT_GROUPS:
        p = f"tcd.{group}."
        raw = {
            "visits": values[p + "visits"], "first_visits": values[p + "first_visits"],
            "persons": values[p + "persons"], "cases": values[p + "cases"],
            "first_cases": values[p + "first_cases"], "delegations": values[p + "delegations.count"],
            "delegation_persons": values[p + "delegations.persons"],
            "delegation_cases": values[p + "delegations.cases"],
            "delegation_first_cases": values[p + "delegations.first_cases"],
            "largest_delegation": values[p + "delegations.largest"],
            **{f"kind:{kind}": values[p + f"by_kind.{kind}"] for kind in REPORT_KINDS},
        }
        reception[group] = _reception_group(raw)
    return {
        "reception": reception,
        "petitions": {
            "received": values["xld.received.total"],
            "by_kind": {kind: values[f"xld.by_kind.{kind}"] for kind in REPORT_KINDS},
            "transferred": values["xld.transfers.sent"],
            "directives": values["xld.directives"],
        },
    }


def _read_one(engine: Engine, start: date, end: date, snapshot: str | None) -> PeriodFigures:
    with engine.connect() as conn:
        report_queries.begin_report(conn)
        report_queries.import_snapshot(conn, snapshot)
        return report_queries.period_figures(conn, start, end)


def _read_periods(source: Engine | Connection, periods: list[tuple[date, date]],
                  parallel: bool) -> list[PeriodFigures]:
    """Both periods' figures, from one snapshot of the data. On PostgreSQL (given an Engine and
    ``parallel``) the previous year is read on a second connection at the same time, from the
    first one's exported snapshot: each server process takes one period. SQLite reads them one
    after the other in one read transaction: two threads of one process do not run its queries
    side by side (measured: two periods on two threads took longer than one after the other)."""
    if isinstance(source, Connection):
        return [report_queries.period_figures(source, s, e) for s, e in periods]
    if not parallel or source.dialect.name == "sqlite":
        with source.connect() as conn:
            report_queries.begin_report(conn)
            return [report_queries.period_figures(conn, s, e) for s, e in periods]
    with source.connect() as conn:
        report_queries.begin_report(conn)
        snapshot = report_queries.export_snapshot(conn)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report") as pool:
            later = pool.submit(_read_one, source, *periods[1], snapshot)
            first = report_queries.period_figures(conn, *periods[0])
            return [first, later.result()]


def office_report(engine: Engine | Connection, start: date, end: date, *, office: OfficeSettings | None = None,
                  parallel: bool = True) -> OfficeReport:
    """The report of the inclusive period [start, end] and of the same dates a year earlier.

    ``office``: the office settings whose name the narrative uses (read from the database when
    not given). Given a Connection, both periods are read in the caller's transaction, one after
    the other (call ``report_queries.begin_report`` first for a report-only transaction).
    """
    validate_period(start, end)
    prev_start, prev_end = shift_period(start, end)
    if office is None:
        office = _load_settings(engine)
    this, prev = _read_periods(engine, [(start, end), (prev_start, prev_end)], parallel)
    # A field seen in one period only is 0 in the other, so every figure has both numbers.
    slugs = [k for k in {**this.values, **prev.values} if k.startswith(FIELD_PREFIX)]
    current = {**dict.fromkeys(slugs, 0), **this.values}
    previous = {**dict.fromkeys(slugs, 0), **prev.values}
    labels = {**prev.field_labels, **this.field_labels}
    stat_this, stat_prev = _statistics_figures(current), _statistics_figures(previous)
    statistics = {"period": {"from": start.isoformat(), "to": end.isoformat()}, **stat_this,
                  "previous_year": stat_prev, "change": difference(stat_this, stat_prev)}
    period = describe_period(start, end)
    return OfficeReport(
        period=period,
        previous_period=describe_period(prev_start, prev_end),
        current=MappingProxyType(current),
        previous=MappingProxyType(previous),
        field_labels=MappingProxyType(labels),
        statistics=MappingProxyType(statistics),
        narrative=narrative(period, current, previous, prose_name(office.office_name)),
        office=office,
    )


def _load_settings(source: Engine | Connection) -> OfficeSettings:
    engine = source.engine if isinstance(source, Connection) else source
    return load_office_settings(engine)


def report_json(report: OfficeReport) -> dict[str, Any]:
    """The statistics JSON (period, reception, petitions, previous_year, change — unchanged) plus
    ``tcd`` and ``xld`` (each figure as {"value", "previous_year", "change"}, nested by its key;
    a field's figure also has its "label") and ``narrative``."""
    trees: dict[str, dict[str, Any]] = {"tcd": {}, "xld": {}}
    for definition in report.definitions:
        family, *path = definition.key.split(".")
        node = trees[family]
        for part in path[:-1]:
            node = node.setdefault(part, {})
        value, previous = report.current.get(definition.key, 0), report.previous.get(definition.key, 0)
        leaf: dict[str, Any] = {"value": value, "previous_year": previous, "change": value - previous}
        if definition.key.startswith(FIELD_PREFIX):
            leaf = {"label": report.field_labels.get(path[-1], FIELD_UNSET_LABEL), **leaf}
        node[path[-1]] = leaf
    story = report.narrative
    return {
        **report.statistics,
        "tcd": trees["tcd"],
        "xld": trees["xld"],
        "narrative": {
            "period": story.period_name,
            "office": story.office,
            "sections": [{"title": s.title, "paragraphs": list(s.paragraphs)} for s in story.sections],
            "text": story.text,
        },
    }


# --- drill-down --------------------------------------------------------------------------------

RecordCursor = RecordKey


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One record behind a figure, in the same columns whatever its kind, for one list view.

    ``day`` is the date that puts the record in the figure (visit, first visit of the case in the
    period, session, receipt, sending / answer / due date, issue). ``people`` never names a
    denouncer (services.visibility). Pass ``cursor`` as ``after`` for the rows that follow.
    """

    record: RecordKind
    id: uuid.UUID
    day: date
    title: str
    kind_label: str
    people: str
    detail: str
    persons: int | None
    case_id: uuid.UUID | None
    confidential: bool
    cursor: RecordCursor


def _spec(key: str) -> FigureDef:
    try:
        return figure_def(key)
    except ValueError as exc:
        raise ValidationError(f"Không có số liệu “{key}” trong báo cáo.") from exc


def figure_count(engine: Engine, key: str, start: date, end: date) -> int:
    """The figure ``key`` of [start, end] recomputed from the records ``figure_records`` lists
    (their number, or the sum / the largest of their persons for a person figure)."""
    validate_period(start, end)
    definition = _spec(key)
    with engine.connect() as conn:
        report_queries.begin_report(conn)
        return report_queries.figure_value(conn, definition.spec, start, end)


def figure_records(engine: Engine, key: str, start: date, end: date, limit: int = PAGE_SIZE,
                   after: RecordCursor | None = None, *, viewer: Viewer | None = None) -> list[RecordRow]:
    """Up to ``limit`` records behind figure ``key`` of [start, end], oldest first, after ``after``."""
    validate_period(start, end)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"Số dòng mỗi trang phải từ 1 đến {MAX_PAGE} (nhận được: {limit}).")
    definition = _spec(key)
    with engine.connect() as conn:
        report_queries.begin_report(conn)
        keys = report_queries.figure_page(conn, definition.spec, start, end, after, limit)
        if not keys:
            return []
        ids = list(dict.fromkeys(k.id for k in keys))
        build = _BUILDERS[definition.spec.records]
        by_id = build(conn, ids, viewer)
    return [_with_key(by_id[k.id], k) for k in keys if k.id in by_id]


def _with_key(row: RecordRow, key: RecordKey) -> RecordRow:
    return RecordRow(row.record, row.id, key.day, row.title, row.kind_label, row.people, row.detail, row.persons,
                     row.case_id, row.confidential, key)


def _label(enum: Any, code: str | None) -> str:
    if not code:
        return ""
    try:
        return enum(code).label
    except ValueError:
        return code  # a code from a newer desk: shown as it is rather than hidden


_NO_KEY = RecordKey(date.min, uuid.UUID(int=0))


def _visit_rows(conn: Connection, ids: list[uuid.UUID], viewer: Viewer | None) -> dict[uuid.UUID, RecordRow]:
    details = report_queries.visit_details(conn, ids)
    secret = {r.id for r in details if not may_see_identity(r.kind in CONFIDENTIAL_CASE_KINDS, viewer)}
    # A denouncer's name is not even read from the database.
    names = report_queries.visitors(conn, [r.id for r in details if r.id not in secret])
    rows = {}
    for r in details:
        parts = [_label(ReceptionMode, r.reception_mode), f"{r.persons} người"]
        if r.is_delegation:
            parts.append("đoàn đông người")
        parts.append("tiếp lần đầu" if r.first_visit_id == r.id else "tiếp nhiều lần")
        people = CONFIDENTIAL_SIGNER if r.id in secret else ", ".join(v.full_name for v in names.get(r.id, []))
        rows[r.id] = RecordRow("visit", r.id, r.visit_date, r.title or "", _label(PetitionKind, r.kind), people,
                               "; ".join(parts), r.persons, r.case_id, r.id in secret, _NO_KEY)
    return rows


def _case_rows(conn: Connection, ids: list[uuid.UUID], viewer: Viewer | None) -> dict[uuid.UUID, RecordRow]:
    rows = {}
    for r in report_queries.case_details(conn, ids):
        first = f"lần đầu đến ngày {format_day(r.first_visit_on)}" if r.first_visit_on else "chưa có lượt tiếp"
        detail = f"Lĩnh vực: {r.field or FIELD_UNSET_LABEL}; {first}; {_label(CaseStatus, r.status)}"
        rows[r.id] = RecordRow("case", r.id, r.first_visit_on or date.min, r.title or "", _label(PetitionKind, r.kind),
                               "", detail, None, r.id, r.kind in CONFIDENTIAL_CASE_KINDS, _NO_KEY)
    return rows


def _session_rows(conn: Connection, ids: list[uuid.UUID], viewer: Viewer | None) -> dict[uuid.UUID, RecordRow]:
    rows = {}
    for r in report_queries.session_details(conn, ids):
        leader = ", ".join(x for x in (r.leader, r.leader_position) if x)
        detail = "; ".join(x for x in (_label(ReceptionMode, r.reception_mode), r.place or "",
                                       f"{r.visits} lượt tiếp") if x)
        rows[r.id] = RecordRow("session", r.id, r.held_on, f"Tiếp công dân {_label(SessionKind, r.kind).lower()}",
                               _label(SessionKind, r.kind), leader, detail, None, None, False, _NO_KEY)
    return rows


def _petition_rows(conn: Connection, ids: list[uuid.UUID], viewer: Viewer | None) -> dict[uuid.UUID, RecordRow]:
    details = report_queries.petition_details(conn, ids)
    shown = [r.id for r in details if may_see_identity(bool(r.confidential), viewer)]
    names = report_queries.petition_signer_names(conn, shown)
    rows = {}
    for r in details:
        eligibility = {True: "đủ điều kiện xử lý", False: "không đủ điều kiện xử lý"}.get(r.eligible,
                                                                                       "chưa xét điều kiện")
        handling = _label(HandlingDirection, r.handling) or "chưa có hướng xử lý"
        detail = f"{_label(Channel, r.channel)}; {eligibility}; {handling}"
        people = signer_display(bool(r.confidential), names.get(r.id, []), anonymous=bool(r.anonymous),
                                viewer=viewer)
        rows[r.id] = RecordRow("petition", r.id, r.received_on, r.summary or "", _label(PetitionKind, r.kind),
                               people, detail, None, r.case_id, bool(r.confidential), _NO_KEY)
    return rows


def _transfer_rows(conn: Connection, ids: list[uuid.UUID], viewer: Viewer | None) -> dict[uuid.UUID, RecordRow]:
    rows = {}
    for r in report_queries.transfer_details(conn, ids):
        parts = [f"gửi ngày {format_day(r.sent_on)}"]
        if r.number:
            parts.insert(0, f"số {r.number}")
        if r.due_on:
            parts.append(f"hạn trả lời {format_day(r.due_on)}")
        parts.append(f"đã trả lời ngày {format_day(r.answered_on)}" if r.answered_on else "chưa trả lời")
        rows[r.id] = RecordRow("transfer", r.id, r.sent_on, r.summary or "", _label(PetitionKind, r.kind),
                               r.agency_name or "", "; ".join(parts), None, r.case_id, False, _NO_KEY)
    return rows


def _directive_rows(conn: Connection, ids: list[uuid.UUID], viewer: Viewer | None) -> dict[uuid.UUID, RecordRow]:
    return {r.id: RecordRow("directive", r.id, r.issued_on, r.subject or "", "", "",
                            f"số {r.number}" if r.number else "", None, r.case_id, False, _NO_KEY)
            for r in report_queries.directive_details(conn, ids)}


_BUILDERS: dict[str, Callable[[Connection, list[uuid.UUID], Viewer | None], dict[uuid.UUID, RecordRow]]] = {
    "visit": _visit_rows,
    "case": _case_rows,
    "session": _session_rows,
    "petition": _petition_rows,
    "transfer": _transfer_rows,
    "directive": _directive_rows,
}

"""Chuyển đơn: send a petition to one or several competent agencies and record their answers.

Answer deadline (``transfer.due_on``). No law sets a deadline for "answering" a transfer; what
binds the receiving agency is the first statutory step it must take on a petition it is competent
for. So the due date is the primary rule of ``db/reference/deadlines.csv`` that applies to the
petition's kind *as accepted by the receiving agency* (handling ``accept``), counted from the day
the transfer is sent (the day of sending is not counted, BLDS 2015 Điều 147):

- complaint → ``complaint_acceptance`` (thụ lý within 10 days, Luật Khiếu nại Điều 27);
- denunciation → ``denunciation_check`` (7 working days, Luật Tố cáo Điều 24);
- recommendation, feedback → ``petition_processing`` (10 working days, TT 05/2021).

The rules are data: an administrator who edits deadline_rule changes new due dates; a due date
already stored stays as it was when the transfer was sent. Working days come from the office's
calendar (services.workdays.load_calendar), so Tết and nghỉ bù stretch the period.

Every write is one transaction with an audit_event row; the petition's ``handling`` becomes
``transfer`` under optimistic locking (its version), and answers are recorded under the
transfer's own version, so two desks never overwrite each other silently.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, and_, insert, select

from reception_desk.domain.deadlines import Deadline, DeadlineRule, applicable, compute
from reception_desk.domain.enums import HandlingDirection, PetitionKind
from reception_desk.domain.letters import LetterKind
from reception_desk.domain.text import fold, nfc
from reception_desk.domain.workdays import WorkCalendar
from reception_desk.services import letters
from reception_desk.services.citizens import current_actor, jsonable
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.services.letters import IssuedLetter
from reception_desk.services.visibility import Viewer, signer_display, signers_searchable
from reception_desk.services.workdays import load_calendar, load_rules
from reception_desk.storage.models import (
    Agency,
    AuditEvent,
    Citizen,
    Petition,
    PetitionSigner,
    Transfer,
    new_id,
    utcnow,
)
from reception_desk.storage.versioning import StaleVersion, update_versioned

_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]
_audit: Table = AuditEvent.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]

NUMBER_MAX = 60  # transfer.number and transfer.answer_number
NOTE_MAX = 2000
SINCE_SENT = "ngày chuyển đơn"

# Field names as the conflict message shows them.
_FIELD_LABELS = {
    "answered_on": "Ngày trả lời",
    "answer_number": "Số văn bản trả lời",
    "result": "Kết quả",
    "number": "Số văn bản chuyển",
    "due_on": "Hạn trả lời",
}


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedTransfer:
    """One transfer row as written by transfer_petition."""

    id: uuid.UUID
    version: int
    petition_id: uuid.UUID
    agency_id: uuid.UUID
    agency_name: str
    sent_on: date
    number: str | None
    due_on: date | None
    basis: str | None  # the rule the due date follows, with its legal basis
    petition_version: int
    # Letters issued with the transfer (issue_letters / notify_petitioner): its forwarding letter;
    # the first transfer also carries the notice to the petitioner.
    letters: tuple[IssuedLetter, ...] = ()


@dataclass(frozen=True, slots=True)
class TransferOutcome:
    """What one transfer action saved and issued (transfer_and_issue)."""

    transfers: list[SavedTransfer]
    letters: list[IssuedLetter]  # the forwarding letters in the order of the agencies, then the notice


@dataclass(frozen=True, slots=True)
class TransferDetail:
    """A transfer with what a clerk needs to record the agency's answer."""

    id: uuid.UUID
    version: int
    petition_id: uuid.UUID
    case_id: uuid.UUID | None
    petition_received_on: date
    petition_kind: str
    petition_kind_label: str
    petition_summary: str | None
    signers: str  # masked for confidential petitions (services.visibility)
    agency_id: uuid.UUID
    agency_name: str
    sent_on: date
    number: str | None
    due_on: date | None
    answered_on: date | None
    answer_number: str | None
    result: str | None
    note: str | None
    basis: str | None
    updated_at: datetime | None

    @property
    def answered(self) -> bool:
        return self.answered_on is not None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.answered_on is None and self.due_on < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due_on).days if self.overdue(today) and self.due_on else 0


@dataclass(frozen=True, slots=True)
class AgencyChoice:
    id: uuid.UUID
    name: str
    name_key: str
    pending_since: date | None  # an unanswered transfer of this petition to it, sent that day


@dataclass(frozen=True, slots=True)
class PetitionBrief:
    id: uuid.UUID
    version: int
    received_on: date
    kind: str
    kind_label: str
    summary: str | None
    signers: str
    case_id: uuid.UUID | None
    handling: str | None


@dataclass(frozen=True)
class TransferContext:
    """What the transfer form needs, read once; the due date is then computed live, in memory."""

    petition: PetitionBrief
    agencies: list[AgencyChoice]  # active agencies of the directory, by name
    rule: DeadlineRule | None  # the answer deadline rule (module docstring)
    own_deadline: Deadline | None  # the office's own deadline to decide/transfer, from receipt
    calendar: WorkCalendar

    def due_on(self, sent_on: date) -> date | None:
        return answer_due(self.rule, sent_on, self.calendar)

    def basis_text(self) -> str:
        if self.rule is None:
            return "Không có quy định thời hạn cho loại đơn này: hạn trả lời để trống."
        return self.rule.describe(SINCE_SENT)

    def late_warning(self, sent_on: date) -> str | None:
        """A warning when the transfer leaves after the office's own statutory deadline."""
        own = self.own_deadline
        if own is None or sent_on <= own.due:
            return None
        return (f"Chuyển sau thời hạn của cơ quan mình: {own.rule.label} — hạn {_fmt(own.due)} "
                f"({own.rule.basis}).")


# --- rules ----------------------------------------------------------------------------------------


def answer_rule(rules: Sequence[DeadlineRule], kind: str) -> DeadlineRule | None:
    """The rule an answer to a transfer of a petition of ``kind`` is expected by (module docstring)."""
    chosen = applicable(list(rules), kind, HandlingDirection.ACCEPT.value)
    return chosen[0] if chosen else None


def answer_due(rule: DeadlineRule | None, sent_on: date, calendar: WorkCalendar) -> date | None:
    return None if rule is None else compute(rule, sent_on, calendar)


def _own_deadline(rules: Sequence[DeadlineRule], kind: str, received_on: date,
                  calendar: WorkCalendar) -> Deadline | None:
    chosen = applicable(list(rules), kind, HandlingDirection.TRANSFER.value)
    if not chosen:
        return None
    rule = chosen[0]
    return Deadline(rule, received_on, compute(rule, received_on, calendar))


# --- helpers ------------------------------------------------------------------------------------


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "(trống)"


def _kind_label(code: str) -> str:
    try:
        return PetitionKind(code).label
    except ValueError:
        return code


def _audit_row(action: str, entity_id: uuid.UUID, detail: dict[str, Any], actor: str | None) -> dict[str, Any]:
    return {
        "id": new_id(),
        "at": utcnow(),
        "actor": actor or current_actor(),
        "action": action,
        "entity": "transfer",
        "entity_id": str(entity_id),
        "detail": json.dumps(jsonable(detail), ensure_ascii=False),
    }


def _as_uuid(value: uuid.UUID | str, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError(f"Không tìm thấy {what} “{value}”.") from None


def _clean_number(value: str | None, what: str) -> str | None:
    text = nfc(value) or None
    if text is not None and len(text) > NUMBER_MAX:
        raise ValidationError(f"{what} quá dài ({len(text)} ký tự, tối đa {NUMBER_MAX}).")
    return text


def _signers(conn: Connection, petition_id: uuid.UUID, confidential: bool, anonymous: bool) -> str:
    names: list[str] = []
    if signers_searchable(confidential):  # a denouncer's name is not even read
        names = list(conn.execute(
            select(_citizen.c.full_name)
            .join(_signer, _signer.c.citizen_id == _citizen.c.id)
            .where(_signer.c.petition_id == petition_id)
            .order_by(_signer.c.ordinal, _citizen.c.name_key)
        ).scalars())
    return signer_display(confidential, names, anonymous=anonymous)


def _petition_row(conn: Connection, petition_id: uuid.UUID) -> Row[Any]:
    p = _petition
    row = conn.execute(
        select(p.c.id, p.c.version, p.c.received_on, p.c.kind, p.c.summary, p.c.case_id, p.c.handling,
               p.c.confidential, p.c.anonymous, p.c.updated_at)
        .where(p.c.id == petition_id)
    ).first()
    if row is None:
        raise NotFoundError("Không tìm thấy đơn cần chuyển (có thể đã bị xóa ở bàn khác).")
    return row


def _local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%H:%M %d/%m/%Y")


# --- the transfer form ----------------------------------------------------------------------------


def transfer_context(engine: Engine, petition_id: uuid.UUID | str) -> TransferContext:
    """The petition, the active agencies and the deadline rules, for the transfer form."""
    pid = _as_uuid(petition_id, "đơn")
    calendar = load_calendar(engine)
    rules = load_rules(engine)
    with engine.connect() as conn:
        p = _petition_row(conn, pid)
        signers = _signers(conn, pid, bool(p.confidential), bool(p.anonymous))
        pending = dict(conn.execute(
            select(_transfer.c.agency_id, _transfer.c.sent_on)
            .where(_transfer.c.petition_id == pid, _transfer.c.answered_on.is_(None))
        ).all())
        agencies = [
            AgencyChoice(r.id, r.name, r.name_key or fold(r.name), pending.get(r.id))
            for r in conn.execute(
                select(_agency.c.id, _agency.c.name, _agency.c.name_key)
                .where(_agency.c.active == True)  # noqa: E712 - SQL, not Python
                .order_by(_agency.c.name_key, _agency.c.id)
            )
        ]
    brief = PetitionBrief(p.id, p.version, p.received_on, p.kind, _kind_label(p.kind), p.summary, signers,
                          p.case_id, p.handling)
    return TransferContext(brief, agencies, answer_rule(rules, p.kind),
                           _own_deadline(rules, p.kind, p.received_on, calendar), calendar)


def transfer_petition(
    engine: Engine,
    petition_id: uuid.UUID | str,
    agency_ids: Iterable[uuid.UUID | str],
    sent_on: date,
    *,
    number: str | None = None,
    note: str | None = None,
    petition_version: int | None = None,
    today: date | None = None,
    actor: str | None = None,
    issue_letters: bool = False,
    notify_petitioner: bool = False,
    viewer: Viewer | None = None,
) -> list[SavedTransfer]:
    """Transfer a petition to one or several agencies of the directory, in one transaction.

    ``issue_letters`` issues each transfer's forwarding letter (services.letters.issue_forwarding)
    and ``notify_petitioner`` the notice to the petitioner, in the same transaction: a letter that
    cannot be issued (letterhead settings missing, a denouncer's identity in the text) leaves no
    transfer saved either.

    ``petition_version`` is the version the clerk's form read; when given, a petition changed by
    another desk since is refused (ConflictError). Refused with a Vietnamese message, nothing
    written: no agency, an unknown or inactive agency, a date before the petition was received or
    after ``today``, an agency that already holds an unanswered transfer of this petition.
    """
    pid = _as_uuid(petition_id, "đơn")
    ids = list(dict.fromkeys(_as_uuid(a, "cơ quan") for a in agency_ids))
    if not ids:
        raise ValidationError("Cần chọn ít nhất một cơ quan nhận đơn.")
    if sent_on is None:
        raise ValidationError("Cần ghi ngày chuyển đơn.")
    today = today or date.today()
    if sent_on > today:
        raise ValidationError(f"Ngày chuyển {_fmt(sent_on)} ở sau hôm nay ({_fmt(today)}).")
    clean_number = _clean_number(number, "Số văn bản chuyển đơn")
    clean_note = nfc(note) or None
    if clean_note is not None and len(clean_note) > NOTE_MAX:
        raise ValidationError(f"Ghi chú quá dài ({len(clean_note)} ký tự, tối đa {NOTE_MAX}).")

    calendar = load_calendar(engine)
    rules = load_rules(engine)
    with engine.begin() as conn:
        # Read the version before looking for pending transfers: a transfer committed by another
        # desk after this read makes our versioned update below fail, one committed before it is
        # seen by the duplicate check.
        p = _petition_row(conn, pid)
        seen = p.version if petition_version is None else petition_version
        if petition_version is not None and p.version != petition_version:
            raise ConflictError(_petition_changed(p, petition_version))
        if sent_on < p.received_on:
            raise ValidationError(
                f"Ngày chuyển {_fmt(sent_on)} ở trước ngày nhận đơn {_fmt(p.received_on)}.")
        agencies = {r.id: r for r in conn.execute(
            select(_agency.c.id, _agency.c.name, _agency.c.active).where(_agency.c.id.in_(ids)))}
        missing = [a for a in ids if a not in agencies]
        if missing:
            raise NotFoundError("Không tìm thấy cơ quan đã chọn trong danh bạ (có thể vừa bị xóa); "
                                "hãy mở lại danh sách cơ quan.")
        inactive = [agencies[a].name for a in ids if not agencies[a].active]
        if inactive:
            raise ValidationError(
                "Cơ quan đã ngừng hoạt động trong danh bạ, không chuyển đơn đến được: "
                + ", ".join(f"“{n}”" for n in inactive) + ".", [f"“{n}”" for n in inactive])
        pending = conn.execute(
            select(_transfer.c.agency_id, _transfer.c.sent_on, _transfer.c.number)
            .where(_transfer.c.petition_id == pid, _transfer.c.agency_id.in_(ids),
                   _transfer.c.answered_on.is_(None))
            .order_by(_transfer.c.sent_on)
        ).all()
        if pending:
            lines = [
                f"“{agencies[r.agency_id].name}”: đã chuyển ngày {_fmt(r.sent_on)}"
                + (f" (số {r.number})" if r.number else "") + ", đang chờ trả lời"
                for r in pending
            ]
            raise ValidationError(
                "Đơn này đang chờ cơ quan trả lời, không chuyển thêm lần nữa: " + "; ".join(lines)
                + ". Hãy ghi kết quả trả lời trước, hoặc bỏ chọn cơ quan đó.", lines)

        rule = answer_rule(rules, p.kind)
        due = answer_due(rule, sent_on, calendar)
        basis = rule.describe(SINCE_SENT) if rule else None
        try:
            new_petition_version = update_versioned(
                conn, _petition, pid, seen, {"handling": HandlingDirection.TRANSFER.value})
        except StaleVersion as stale:
            raise ConflictError(_petition_changed(stale.current, seen)) from None

        now = utcnow()
        rows = [{
            "id": new_id(), "created_at": now, "updated_at": now, "version": 1,
            "petition_id": pid, "agency_id": agency_id, "sent_on": sent_on, "number": clean_number,
            "due_on": due,
        } for agency_id in ids]
        conn.execute(insert(_transfer), rows)
        conn.execute(insert(_audit), [
            _audit_row("transfer.create", row["id"], {
                "version": 1, "petition_id": pid, "agency_id": row["agency_id"], "sent_on": sent_on,
                "number": clean_number, "due_on": due, "rule": rule.code if rule else None,
                "note": clean_note, "petition_handling_before": p.handling,
            }, actor)
            for row in rows
        ])
        issued: dict[uuid.UUID, list[IssuedLetter]] = {row["id"]: [] for row in rows}
        if issue_letters:
            for row in rows:
                issued[row["id"]].append(letters.issue_forwarding(conn, row["id"], viewer=viewer, actor=actor))
        if notify_petitioner:
            issued[rows[0]["id"]].append(
                letters.issue_notice(conn, [row["id"] for row in rows], viewer=viewer, actor=actor))
        # the forwarding letter gave a transfer without a number its symbol (one more version)
        current = {r.id: r for r in conn.execute(
            select(_transfer.c.id, _transfer.c.version, _transfer.c.number)
            .where(_transfer.c.id.in_([row["id"] for row in rows])))} if issue_letters else {}
    return [
        SavedTransfer(row["id"], current[row["id"]].version if row["id"] in current else 1, pid, row["agency_id"],
                      agencies[row["agency_id"]].name, sent_on,
                      current[row["id"]].number if row["id"] in current else clean_number, due, basis,
                      new_petition_version, tuple(issued[row["id"]]))
        for row in rows
    ]


def transfer_and_issue(
    engine: Engine,
    petition_id: uuid.UUID | str,
    agency_ids: Iterable[uuid.UUID | str],
    sent_on: date,
    *,
    notify_petitioner: bool = False,
    note: str | None = None,
    petition_version: int | None = None,
    today: date | None = None,
    actor: str | None = None,
    viewer: Viewer | None = None,
) -> TransferOutcome:
    """The transfer form's one action: save the transfers and issue their forwarding letters (and,
    when asked, the notice to the petitioner) in one transaction; the letters' symbols become the
    transfers' numbers."""
    saved = transfer_petition(engine, petition_id, agency_ids, sent_on, note=note, petition_version=petition_version,
                              today=today, actor=actor, issue_letters=True, notify_petitioner=notify_petitioner,
                              viewer=viewer)
    forwarding = [letter for s in saved for letter in s.letters if letter.kind is LetterKind.FORWARDING]
    notices = [letter for s in saved for letter in s.letters if letter.kind is not LetterKind.FORWARDING]
    return TransferOutcome(saved, forwarding + notices)


def _petition_changed(current: Any, seen: int) -> str:
    if current is None:
        return "Đơn đã bị xóa ở bàn khác; chưa chuyển đơn."
    get = current.get if isinstance(current, dict) else lambda k: getattr(current, k)
    handling = get("handling")
    label = HandlingDirection(handling).label if handling in set(HandlingDirection) else (handling or "(chưa có)")
    return (
        f"Đơn vừa được bàn khác sửa (phiên bản {seen} → {get('version')}, lúc "
        f"{_local_time(get('updated_at'))}); hướng xử lý hiện tại: {label}. "
        "Chưa chuyển đơn: hãy mở lại đơn để xem thay đổi rồi chuyển lại."
    )


# --- answers ------------------------------------------------------------------------------------


def _transfer_row(conn: Connection, tid: uuid.UUID) -> Row[Any]:
    t = _transfer
    row = conn.execute(select(t).where(t.c.id == tid)).first()
    if row is None:
        raise NotFoundError("Không tìm thấy phiếu chuyển đơn (có thể đã bị xóa ở bàn khác).")
    return row


def _describe_conflict(conn: Connection, tid: uuid.UUID, seen_version: int, current: Any) -> str:
    """Name what another desk changed since ``seen_version``, from the audit trail."""
    events = conn.execute(
        select(_audit.c.at, _audit.c.actor, _audit.c.detail)
        .where(_audit.c.entity == "transfer", _audit.c.entity_id == str(tid))
        .order_by(_audit.c.at)
    ).all()
    lines: list[str] = []
    for event in events:
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            continue
        if int(detail.get("version") or 0) <= seen_version:
            continue
        who = f" ({event.actor})" if event.actor else ""
        for field, change in (detail.get("changes") or {}).items():
            before, after = change
            lines.append(f"{_local_time(event.at)}{who} — {_FIELD_LABELS.get(field, field)}: "
                         f"{_show(field, before)} → {_show(field, after)}")
    if not lines:  # no audit (an import, an older program): show the values as they are now
        get = current.get if isinstance(current, dict) else lambda k: getattr(current, k)
        lines = [f"{label}: {_show(field, get(field))}" for field, label in _FIELD_LABELS.items()
                 if field in ("answered_on", "answer_number", "result")]
    version = current["version"] if isinstance(current, dict) else current.version
    return (
        f"Phiếu chuyển đơn này vừa được bàn khác sửa (phiên bản {seen_version} → {version}); "
        "chưa ghi gì. Đã thay đổi: " + "; ".join(lines)
        + ". Xem lại rồi bấm Lưu lần nữa nếu vẫn muốn ghi nội dung của mình."
    )


def _show(field: str, value: Any) -> str:
    if value is None or value == "":
        return "(trống)"
    if field in ("answered_on", "due_on"):
        try:
            return _fmt(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    text = str(value)
    return text if len(text) <= 80 else text[:80] + "…"


def _update_transfer(engine: Engine, transfer_id: uuid.UUID | str, seen_version: int,
                     values: dict[str, Any], action: str, actor: str | None,
                     check: Callable[[Row[Any]], None] | None = None) -> TransferDetail:
    tid = _as_uuid(transfer_id, "phiếu chuyển đơn")
    with engine.begin() as conn:
        row = _transfer_row(conn, tid)
        if row.version != seen_version:
            raise ConflictError(_describe_conflict(conn, tid, seen_version, row))
        if check is not None:
            check(row)
        changes = {k: [jsonable(getattr(row, k)), jsonable(v)] for k, v in values.items()
                   if getattr(row, k) != v}
        try:
            version = update_versioned(conn, _transfer, tid, seen_version, values)
        except StaleVersion as stale:
            if stale.current is None:
                raise NotFoundError("Phiếu chuyển đơn đã bị xóa ở bàn khác.") from None
            raise ConflictError(_describe_conflict(conn, tid, seen_version, stale.current)) from None
        conn.execute(insert(_audit), [_audit_row(action, tid, {"version": version, "changes": changes}, actor)])
    return load_transfer(engine, tid)


def record_answer(
    engine: Engine,
    transfer_id: uuid.UUID | str,
    seen_version: int,
    answered_on: date,
    answer_number: str | None,
    result: str | None,
    *,
    today: date | None = None,
    actor: str | None = None,
) -> TransferDetail:
    """Record (or correct) the agency's answer to a transfer; returns the transfer as saved.

    ``seen_version`` is the transfer's version when the clerk opened it: if another desk saved
    since, ConflictError names what it changed and nothing is written.
    """
    if answered_on is None:
        raise ValidationError("Cần ghi ngày của văn bản trả lời.")
    today = today or date.today()
    if answered_on > today:
        raise ValidationError(f"Ngày trả lời {_fmt(answered_on)} ở sau hôm nay ({_fmt(today)}).")
    number = _clean_number(answer_number, "Số văn bản trả lời")
    text = nfc(result) or None

    def check(row: Row[Any]) -> None:
        if answered_on < row.sent_on:
            raise ValidationError(
                f"Ngày trả lời {_fmt(answered_on)} ở trước ngày chuyển đơn {_fmt(row.sent_on)}.")

    values = {"answered_on": answered_on, "answer_number": number, "result": text}
    return _update_transfer(engine, transfer_id, seen_version, values, "transfer.answer", actor, check)


def clear_answer(engine: Engine, transfer_id: uuid.UUID | str, seen_version: int, *,
                 actor: str | None = None) -> TransferDetail:
    """Remove a recorded answer (entered by mistake): the transfer waits for its answer again."""
    values = {"answered_on": None, "answer_number": None, "result": None}
    return _update_transfer(engine, transfer_id, seen_version, values, "transfer.clear_answer", actor)


def load_transfer(engine: Engine, transfer_id: uuid.UUID | str) -> TransferDetail:
    """One transfer with its petition (signers masked when confidential) and agency."""
    tid = _as_uuid(transfer_id, "phiếu chuyển đơn")
    t, p, a = _transfer, _petition, _agency
    rules = load_rules(engine)
    with engine.connect() as conn:
        row = conn.execute(
            select(t, p.c.received_on, p.c.kind, p.c.summary, p.c.case_id, p.c.confidential, p.c.anonymous,
                   a.c.name.label("agency_name"))
            .select_from(t.join(p, p.c.id == t.c.petition_id).outerjoin(a, a.c.id == t.c.agency_id))
            .where(t.c.id == tid)
        ).first()
        if row is None:
            raise NotFoundError("Không tìm thấy phiếu chuyển đơn (có thể đã bị xóa ở bàn khác).")
        signers = _signers(conn, row.petition_id, bool(row.confidential), bool(row.anonymous))
        created = conn.execute(
            select(_audit.c.detail).where(and_(_audit.c.entity == "transfer", _audit.c.entity_id == str(tid),
                                               _audit.c.action == "transfer.create"))
        ).scalar()
    note = None
    if created:
        try:
            note = json.loads(created).get("note")
        except ValueError:
            note = None
    rule = answer_rule(rules, row.kind)
    return TransferDetail(
        id=row.id, version=row.version, petition_id=row.petition_id, case_id=row.case_id,
        petition_received_on=row.received_on, petition_kind=row.kind, petition_kind_label=_kind_label(row.kind),
        petition_summary=row.summary, signers=signers, agency_id=row.agency_id,
        agency_name=row.agency_name or "", sent_on=row.sent_on, number=row.number, due_on=row.due_on,
        answered_on=row.answered_on, answer_number=row.answer_number, result=row.result, note=note,
        basis=rule.describe(SINCE_SENT) if rule else None, updated_at=row.updated_at,
    )

"""Petitions (đơn): register, edit, mark as duplicate, attach scans, and suggest duplicates at intake.

Rules (TT 05/2021, domain notes §3 and §5):
- every petition has a received date (not in the future), a channel (nguồn đơn), a kind, a summary
  and either signers (citizens, one or many) or the anonymous flag;
- a petition transferred in by another agency names that agency (and may carry its dispatch number);
- an ineligible petition (không đủ điều kiện xử lý) records the reason and cannot be accepted;
- a denunciation is always confidential: who signed it is shown only to those services.visibility
  allows, and it is matched by signer in no search and no duplicate suggestion for anybody else;
- every change is one transaction with its audit_event; edits are refused when another desk saved
  the petition first (optimistic locking), with a message naming what the other desk changed.

Attachments (scans, photos) are stored in the database with the petition, up to
MAX_ATTACHMENT_BYTES each.
"""

from __future__ import annotations

import hashlib
import json
import math
import mimetypes
import re
import uuid
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update

from reception_desk.domain.enums import Channel, HandlingDirection, LabelledEnum, PetitionKind
from reception_desk.domain.text import fold, nfc
from reception_desk.services.errors import ConflictError, NotFoundError, UserError, ValidationError
from reception_desk.services.visibility import (
    CONFIDENTIAL_ATTACHMENT,
    Viewer,
    desk_viewer,
    may_see_identity,
    signer_display,
    signers_searchable,
)
from reception_desk.storage import duplicate_queries as dq
from reception_desk.storage import search_queries
from reception_desk.storage.models import (
    Agency,
    Attachment,
    AuditEvent,
    Case,
    Citizen,
    Petition,
    PetitionSigner,
    Setting,
    new_id,
    utcnow,
)
from reception_desk.storage.versioning import StaleVersion, update_versioned

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_SUMMARY = 10_000
MAX_FIELD = 100
MAX_INCOMING_NUMBER = 60
MAX_REASON = 300
MAX_FILE_NAME = 255
MAX_SIGNERS = 500
EARLIEST_RECEIVED = date(1990, 1, 1)
DUPLICATE_MONTHS_KEY = "duplicates.months"
DEFAULT_DUPLICATE_MONTHS = 12
MAX_DUPLICATE_MONTHS = 120

_P: Table = Petition.__table__  # type: ignore[assignment]
_S: Table = PetitionSigner.__table__  # type: ignore[assignment]
_A: Table = Attachment.__table__  # type: ignore[assignment]
_C: Table = Citizen.__table__  # type: ignore[assignment]
_CASE: Table = Case.__table__  # type: ignore[assignment]
_AGENCY: Table = Agency.__table__  # type: ignore[assignment]
_AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
_SETTING: Table = Setting.__table__  # type: ignore[assignment]

FIELD_LABELS = {
    "received_on": "Ngày nhận đơn",
    "channel": "Nguồn đơn",
    "kind": "Loại đơn",
    "signers": "Người đứng đơn",
    "anonymous": "Đơn nặc danh",
    "field": "Lĩnh vực",
    "summary": "Tóm tắt nội dung",
    "handling": "Hướng xử lý",
    "eligible": "Đủ điều kiện xử lý",
    "ineligible_reason": "Lý do không đủ điều kiện",
    "dated_on": "Ngày ghi trên đơn",
    "incoming_number": "Số công văn chuyển đến",
    "source_agency_id": "Cơ quan chuyển đơn đến",
    "case_id": "Vụ việc",
    "duplicate_of_id": "Trùng với đơn",
    "confidential": "Bảo mật người đứng đơn",
    "attachments": "Tệp đính kèm",
}
# The petition columns an input sets (signers and attachments are rows of their own).
_COLUMNS = ("received_on", "channel", "kind", "anonymous", "field", "summary", "handling", "eligible",
            "ineligible_reason", "dated_on", "incoming_number", "source_agency_id", "case_id",
            "duplicate_of_id", "confidential")


# --- input and results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PetitionInput:
    """What the clerk entered. Codes are the enum values (domain.enums)."""

    received_on: date | None
    channel: str | None
    kind: str | None
    # Citizens who signed, in order; None (updates only) keeps the signers as they are — the form
    # does so when the viewer may not see a denouncer's identity.
    signer_ids: Sequence[uuid.UUID] | None = ()
    anonymous: bool = False
    field: str | None = None
    summary: str | None = None
    handling: str | None = None
    eligible: bool | None = None
    ineligible_reason: str | None = None
    dated_on: date | None = None
    incoming_number: str | None = None
    source_agency_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    duplicate_of_id: uuid.UUID | None = None
    # Asked for on a petition of another kind (a citizen who fears reprisal); denunciations are
    # confidential whatever this says.
    confidential: bool = False
    attachments: Sequence[Path] = ()  # files to attach with this save
    remove_attachment_ids: Sequence[uuid.UUID] = ()  # attachments to delete with this save (updates)


@dataclass(frozen=True, slots=True)
class SavedPetition:
    id: uuid.UUID
    version: int
    confidential: bool
    attachment_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class SignerView:
    """One signer as the viewer may see them (all None/masked for a hidden denouncer)."""

    citizen_id: uuid.UUID | None
    full_name: str
    id_number: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: uuid.UUID
    petition_id: uuid.UUID
    file_name: str  # masked for a viewer who may not see a denouncer's identity
    media_type: str
    size: int
    sha256: str
    added_at: Any


@dataclass(frozen=True, slots=True)
class AttachmentContent:
    info: AttachmentInfo
    data: bytes


@dataclass(frozen=True)
class PetitionView:
    id: uuid.UUID
    version: int
    received_on: date
    channel: str
    kind: str
    anonymous: bool
    field: str | None
    summary: str | None
    handling: str | None
    eligible: bool | None
    ineligible_reason: str | None
    dated_on: date | None
    incoming_number: str | None
    source_agency_id: uuid.UUID | None
    source_agency_name: str | None
    case_id: uuid.UUID | None
    case_title: str | None
    duplicate_of_id: uuid.UUID | None
    confidential: bool
    signers: tuple[SignerView, ...]
    signers_masked: bool  # the viewer may not see who signed: signers are placeholders
    signers_text: str  # one line for lists (services.visibility.signer_display)
    attachments: tuple[AttachmentInfo, ...] = field(default_factory=tuple)

    def to_input(self) -> PetitionInput:
        """The petition as an input to edit (signers kept as they are when masked)."""
        return PetitionInput(
            received_on=self.received_on, channel=self.channel, kind=self.kind,
            signer_ids=None if self.signers_masked else [s.citizen_id for s in self.signers if s.citizen_id],
            anonymous=self.anonymous, field=self.field, summary=self.summary, handling=self.handling,
            eligible=self.eligible, ineligible_reason=self.ineligible_reason, dated_on=self.dated_on,
            incoming_number=self.incoming_number, source_agency_id=self.source_agency_id,
            case_id=self.case_id, duplicate_of_id=self.duplicate_of_id, confidential=self.confidential,
        )


# --- validation ---------------------------------------------------------------------------------------


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _code(enum: type[LabelledEnum], value: str | None, label: str, errors: list[str], *,
          required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            errors.append(f"Chưa chọn {label.lower()}.")
        return None
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(m.label for m in enum)
        errors.append(f"{label} “{value}” không hợp lệ (chọn một trong: {allowed}).")
        return None


def _clean(data: PetitionInput, today: date) -> tuple[dict[str, Any], list[uuid.UUID] | None, list[str]]:
    """The petition's column values, its signers (None: keep), and every error found."""
    errors: list[str] = []
    if data.received_on is None:
        errors.append("Chưa nhập ngày nhận đơn.")
    elif data.received_on > today:
        errors.append(f"Ngày nhận đơn {_fmt(data.received_on)} ở tương lai (hôm nay là {_fmt(today)}).")
    elif data.received_on < EARLIEST_RECEIVED:
        errors.append(f"Ngày nhận đơn {_fmt(data.received_on)} quá xa (trước {_fmt(EARLIEST_RECEIVED)}).")
    if data.dated_on is not None and data.received_on is not None and data.dated_on > data.received_on:
        errors.append(f"Ngày ghi trên đơn ({_fmt(data.dated_on)}) sau ngày nhận đơn ({_fmt(data.received_on)}).")
    channel = _code(Channel, data.channel, "Nguồn đơn", errors)
    kind = _code(PetitionKind, data.kind, "Loại đơn", errors)
    handling = _code(HandlingDirection, data.handling, "Hướng xử lý", errors, required=False)

    signers: list[uuid.UUID] | None = None
    if data.signer_ids is not None:
        signers = list(dict.fromkeys(data.signer_ids))
        if data.anonymous and signers:
            errors.append("Đơn nặc danh không có người đứng đơn: bỏ đánh dấu “nặc danh” hoặc bỏ người đứng đơn.")
        elif not data.anonymous and not signers:
            errors.append("Chưa có người đứng đơn (chọn ít nhất một công dân, hoặc đánh dấu đơn nặc danh).")
        if len(signers) > MAX_SIGNERS:
            errors.append(f"Quá nhiều người đứng đơn ({len(signers)}, tối đa {MAX_SIGNERS}).")

    summary = nfc(data.summary) or None
    if not summary:
        errors.append("Chưa nhập tóm tắt nội dung đơn.")
    elif len(summary) > MAX_SUMMARY:
        errors.append(f"Tóm tắt nội dung quá dài ({len(summary)} ký tự, tối đa {MAX_SUMMARY}).")
    field_ = nfc(data.field) or None
    if field_ and len(field_) > MAX_FIELD:
        errors.append(f"Lĩnh vực quá dài ({len(field_)} ký tự, tối đa {MAX_FIELD}).")

    incoming = nfc(data.incoming_number) or None
    if channel == Channel.TRANSFERRED_IN.value:
        if data.source_agency_id is None:
            errors.append("Đơn do cơ quan khác chuyển đến: hãy chọn cơ quan đã chuyển đơn.")
        if incoming and len(incoming) > MAX_INCOMING_NUMBER:
            errors.append(f"Số công văn chuyển đến quá dài (tối đa {MAX_INCOMING_NUMBER} ký tự).")
    elif channel is not None and (data.source_agency_id is not None or incoming):
        errors.append("Chỉ đơn do cơ quan khác chuyển đến mới có cơ quan chuyển đơn và số công văn đến.")

    reason = nfc(data.ineligible_reason) or None
    if data.eligible is False:
        if not reason:
            errors.append("Đơn không đủ điều kiện xử lý: phải ghi rõ lý do (TT 05/2021 Điều 6).")
        elif len(reason) > MAX_REASON:
            errors.append(f"Lý do không đủ điều kiện quá dài (tối đa {MAX_REASON} ký tự).")
        if handling == HandlingDirection.ACCEPT.value:
            errors.append("Đơn không đủ điều kiện xử lý thì không thể thụ lý.")
    elif reason:
        errors.append("Chỉ ghi lý do khi đơn không đủ điều kiện xử lý.")

    values = {
        "received_on": data.received_on, "channel": channel, "kind": kind, "anonymous": bool(data.anonymous),
        "field": field_, "summary": summary, "summary_key": fold(summary) if summary else None,
        "handling": handling, "eligible": data.eligible, "ineligible_reason": reason,
        "dated_on": data.dated_on, "incoming_number": incoming if channel == Channel.TRANSFERRED_IN.value else None,
        "source_agency_id": data.source_agency_id, "case_id": data.case_id,
        "duplicate_of_id": data.duplicate_of_id,
        # Luật Tố cáo Điều 9, 56: a denouncer's identity is always kept secret.
        "confidential": kind == PetitionKind.DENUNCIATION.value or bool(data.confidential),
    }
    return values, signers, errors


def _check_references(conn: Connection, values: dict[str, Any], signers: list[uuid.UUID] | None,
                      errors: list[str], petition_id: uuid.UUID | None) -> None:
    """The rows an input points at exist (and a duplicate link makes no cycle)."""
    if signers:
        found = set(conn.execute(select(_C.c.id).where(_C.c.id.in_(signers))).scalars())
        missing = [s for s in signers if s not in found]
        if missing:
            errors.append(f"Không tìm thấy {len(missing)} người đứng đơn trong danh sách công dân "
                          "(có thể vừa bị xóa ở nơi khác).")
    if values["source_agency_id"] is not None:
        if conn.execute(select(_AGENCY.c.id).where(_AGENCY.c.id == values["source_agency_id"])).first() is None:
            errors.append("Không tìm thấy cơ quan chuyển đơn đến trong danh bạ.")
    if values["case_id"] is not None:
        if conn.execute(select(_CASE.c.id).where(_CASE.c.id == values["case_id"])).first() is None:
            errors.append("Không tìm thấy vụ việc đã chọn.")
    target = values["duplicate_of_id"]
    if target is not None:
        problem = _duplicate_problem(conn, petition_id, target)
        if problem:
            errors.append(problem)


def _duplicate_problem(conn: Connection, petition_id: uuid.UUID | None, target: uuid.UUID) -> str | None:
    """Why ``petition_id`` cannot be marked a duplicate of ``target`` (None: it can)."""
    if petition_id is not None and target == petition_id:
        return "Một đơn không thể trùng với chính nó."
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = target
    first = True
    while current is not None:
        row = conn.execute(select(_P.c.duplicate_of_id).where(_P.c.id == current)).first()
        if row is None:
            return "Không tìm thấy đơn được chọn là đơn gốc (có thể vừa bị xóa)." if first else None
        first = False
        if petition_id is not None and current == petition_id:
            return "Không thể đánh dấu trùng: đơn kia đã được đánh dấu là trùng với đơn này (vòng lặp)."
        if current in seen:  # a cycle already in the data (imported): do not loop forever
            return None
        seen.add(current)
        current = row.duplicate_of_id
    return None


def _raise(errors: list[str]) -> None:
    if errors:
        raise ValidationError("Chưa lưu được đơn: " + (errors[0] if len(errors) == 1 else
                              f"có {len(errors)} lỗi cần sửa."), errors)


# --- attachments: reading files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FileData:
    file_name: str
    media_type: str
    data: bytes
    sha256: str


def human_size(size: int) -> str:
    """A size as the clerk reads it: 0 B, 812 B, 35 KB, 4,2 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def media_type_of(file_name: str) -> str:
    """The media type from the file's extension (application/octet-stream when unknown)."""
    guessed, _ = mimetypes.guess_type(file_name, strict=False)
    return guessed or "application/octet-stream"


def _read_file(path: Path) -> _FileData:
    """A file to attach, read whole (at most MAX_ATTACHMENT_BYTES) with its SHA-256."""
    path = Path(path)
    name = nfc(path.name) or ""
    if not name:
        raise ValidationError("Tên tệp đính kèm không hợp lệ.")
    if len(name) > MAX_FILE_NAME:
        raise ValidationError(f"Tên tệp “{name[:60]}…” quá dài (tối đa {MAX_FILE_NAME} ký tự).")
    limit = human_size(MAX_ATTACHMENT_BYTES)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ValidationError(f"“{name}” không phải là một tệp.")
        if size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(f"Tệp “{name}” quá lớn ({human_size(size)}); mỗi tệp đính kèm tối đa "
                                  f"{limit}. Hãy quét với độ phân giải thấp hơn hoặc chia nhỏ tệp.")
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        total = 0
        with path.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                total += len(chunk)
                if total > MAX_ATTACHMENT_BYTES:  # the file grew while being read
                    raise ValidationError(f"Tệp “{name}” quá lớn; mỗi tệp đính kèm tối đa {limit}.")
                digest.update(chunk)
                chunks.append(chunk)
    except FileNotFoundError:
        raise ValidationError(f"Không tìm thấy tệp “{name}” (có thể đã bị xóa hoặc di chuyển).") from None
    except PermissionError:
        raise ValidationError(f"Không có quyền đọc tệp “{name}”.") from None
    except OSError as exc:
        raise ValidationError(f"Không đọc được tệp “{name}”: {exc.strerror or exc}.") from None
    return _FileData(name, media_type_of(name), b"".join(chunks), digest.hexdigest())


def _insert_attachments(conn: Connection, petition_id: uuid.UUID, files: Sequence[_FileData]) -> list[uuid.UUID]:
    now = utcnow()
    rows = [{"id": new_id(), "created_at": now, "updated_at": now, "version": 1, "petition_id": petition_id,
             "file_name": f.file_name, "media_type": f.media_type, "size": len(f.data), "sha256": f.sha256,
             "data": f.data, "added_at": now} for f in files]
    if rows:
        conn.execute(insert(_A), rows)
    return [r["id"] for r in rows]


# --- audit ------------------------------------------------------------------------------------------------


def _audit(conn: Connection, action: str, entity: str, entity_id: uuid.UUID, detail: dict[str, Any],
           actor: str | None) -> None:
    """One audit_event; the detail never holds names or text (only codes, field names, versions)."""
    conn.execute(insert(_AUDIT), [{
        "id": new_id(), "at": utcnow(), "actor": actor if actor is not None else desk_viewer().user,
        "action": action, "entity": entity, "entity_id": str(entity_id),
        "detail": json.dumps(detail, ensure_ascii=False, default=str),
    }])


# --- register / update / load --------------------------------------------------------------------------


def _signer_rows(petition_id: uuid.UUID, signers: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    return [{"petition_id": petition_id, "citizen_id": c, "ordinal": n} for n, c in enumerate(signers)]


def register_petition(engine: Engine, data: PetitionInput, *, actor: str | None = None,
                      today: date | None = None) -> SavedPetition:
    """Record a new petition with its signers, attachments and audit event, in one transaction."""
    values, signers, errors = _clean(data, today or date.today())
    if data.signer_ids is None:
        errors.append("Chưa có danh sách người đứng đơn.")
    if data.remove_attachment_ids:
        errors.append("Đơn mới chưa có tệp đính kèm nào để xóa.")
    _raise(errors)
    files = [_read_file(p) for p in data.attachments]  # before the transaction: nothing half-saved
    petition_id = new_id()
    with engine.begin() as conn:
        _check_references(conn, values, signers, errors, None)
        _raise(errors)
        now = utcnow()
        conn.execute(insert(_P), [{"id": petition_id, "created_at": now, "updated_at": now, "version": 1,
                                   **values}])
        if signers:
            conn.execute(insert(_S), _signer_rows(petition_id, signers))
        attachment_ids = _insert_attachments(conn, petition_id, files)
        _audit(conn, "petition.register", "petition", petition_id, {
            "version": 1, "kind": values["kind"], "channel": values["channel"], "signers": len(signers or []),
            "attachments": len(files), "confidential": values["confidential"],
        }, actor)
    return SavedPetition(petition_id, 1, values["confidential"], tuple(attachment_ids))


def update_petition(engine: Engine, petition_id: uuid.UUID, seen_version: int, data: PetitionInput, *,
                    actor: str | None = None, today: date | None = None) -> SavedPetition:
    """Save an edited petition, unless another desk saved it since ``seen_version`` was read.

    ConflictError then says what the other desk changed, and nothing of this edit is written.
    """
    values, signers, errors = _clean(data, today or date.today())
    _raise(errors)
    files = [_read_file(p) for p in data.attachments]
    with engine.begin() as conn:
        before = conn.execute(select(_P).where(_P.c.id == petition_id)).mappings().first()
        if before is None:
            raise NotFoundError("Không tìm thấy đơn này (có thể đã bị xóa ở nơi khác).")
        if before["version"] != seen_version:
            raise ConflictError(_conflict_message(conn, petition_id, seen_version, before))
        _check_references(conn, values, signers, errors, petition_id)
        if data.remove_attachment_ids:
            owned = set(conn.execute(select(_A.c.id).where(_A.c.petition_id == petition_id)).scalars())
            if not set(data.remove_attachment_ids) <= owned:
                errors.append("Tệp đính kèm cần xóa không còn trong đơn (có thể đã bị xóa ở nơi khác).")
        _raise(errors)
        old_signers = list(conn.execute(select(_S.c.citizen_id).where(_S.c.petition_id == petition_id)
                                        .order_by(_S.c.ordinal)).scalars())
        changed = [name for name in _COLUMNS if before[name] != values[name]]
        if signers is not None and signers != old_signers:
            changed.append("signers")
        if files or data.remove_attachment_ids:
            changed.append("attachments")
        try:
            version = update_versioned(conn, _P, petition_id, seen_version, values)
        except StaleVersion as exc:  # saved by another desk between our read and our write
            if exc.current is None:
                raise NotFoundError("Đơn này vừa bị xóa ở nơi khác; thay đổi của bạn chưa được lưu.") from None
            raise ConflictError(_conflict_message(conn, petition_id, seen_version, exc.current)) from None
        if signers is not None and signers != old_signers:
            conn.execute(delete(_S).where(_S.c.petition_id == petition_id))
            if signers:
                conn.execute(insert(_S), _signer_rows(petition_id, signers))
        if data.remove_attachment_ids:
            conn.execute(delete(_A).where(_A.c.id.in_(list(data.remove_attachment_ids))))
        attachment_ids = _insert_attachments(conn, petition_id, files)
        _audit(conn, "petition.update", "petition", petition_id,
               {"version": version, "changed": changed, "attachments_added": len(files),
                "attachments_removed": len(data.remove_attachment_ids)}, actor)
    return SavedPetition(petition_id, version, values["confidential"], tuple(attachment_ids))


def _conflict_message(conn: Connection, petition_id: uuid.UUID, seen_version: int,
                      current: Any) -> str:
    """What the other desk changed since ``seen_version``: from the audit events of the petition."""
    changed: list[str] = []
    actors: list[str] = []
    rows = conn.execute(select(_AUDIT.c.actor, _AUDIT.c.detail)
                        .where(_AUDIT.c.entity == "petition", _AUDIT.c.entity_id == str(petition_id))
                        .order_by(_AUDIT.c.at))
    for actor, detail in rows:
        try:
            info = json.loads(detail or "{}")
        except ValueError:
            continue
        if int(info.get("version", 0)) > seen_version:
            changed += [name for name in info.get("changed", []) if name not in changed]
            if actor and actor not in actors:
                actors.append(actor)
    lines = []
    for name in changed:
        label = FIELD_LABELS.get(name, name)
        shown = _shown_value(name, current)
        lines.append(f"– {label}" + (f": nay là “{shown}”" if shown is not None else ""))
    who = f" (bởi {', '.join(actors)})" if actors else ""
    head = (f"Đơn này đã được sửa ở nơi khác{who} sau khi bạn mở nó "
            f"(phiên bản {seen_version} → {current['version']}). Thay đổi của bạn chưa được lưu.")
    body = ("\nNhững gì đã thay đổi:\n" + "\n".join(lines)) if lines else ""
    return head + body + "\nHãy mở lại đơn để xem bản mới nhất rồi nhập lại phần của bạn."


def _shown_value(name: str, current: Any) -> str | None:
    """A short text of a changed value; None for what must not be shown (signers) or has no text."""
    value = current.get(name) if hasattr(current, "get") else None
    if name in ("signers", "attachments", "case_id", "duplicate_of_id", "source_agency_id", "summary_key"):
        return None
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return _fmt(value)
    enums = {"channel": Channel, "kind": PetitionKind, "handling": HandlingDirection}
    if name in enums:
        try:
            return enums[name](value).label
        except ValueError:
            return str(value)
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:79] + "…"


def load_petition(engine: Engine, petition_id: uuid.UUID, viewer: Viewer | None = None) -> PetitionView:
    """A petition with its signers (masked for a confidential one the viewer may not see) and
    attachments (without their bytes)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(_P, _CASE.c.title.label("case_title"), _AGENCY.c.name.label("agency_name"))
            .select_from(_P.outerjoin(_CASE, _CASE.c.id == _P.c.case_id)
                         .outerjoin(_AGENCY, _AGENCY.c.id == _P.c.source_agency_id))
            .where(_P.c.id == petition_id)
        ).mappings().first()
        if row is None:
            raise NotFoundError("Không tìm thấy đơn này (có thể đã bị xóa ở nơi khác).")
        confidential = bool(row["confidential"])
        visible = may_see_identity(confidential, viewer)
        signer_rows = conn.execute(
            select(_C.c.id, _C.c.full_name, _C.c.id_number, _C.c.address)
            .join(_S, _S.c.citizen_id == _C.c.id).where(_S.c.petition_id == petition_id)
            .order_by(_S.c.ordinal)
        ).all()
        attachments = _attachment_infos(conn, [petition_id], {petition_id: visible})
    if visible:
        signers = tuple(SignerView(r.id, r.full_name, r.id_number, r.address) for r in signer_rows)
    else:
        signers = tuple(SignerView(None, signer_display(True, [], viewer=viewer)) for _ in signer_rows)
    return PetitionView(
        id=row["id"], version=row["version"], received_on=row["received_on"], channel=row["channel"],
        kind=row["kind"], anonymous=bool(row["anonymous"]), field=row["field"], summary=row["summary"],
        handling=row["handling"], eligible=row["eligible"], ineligible_reason=row["ineligible_reason"],
        dated_on=row["dated_on"], incoming_number=row["incoming_number"],
        source_agency_id=row["source_agency_id"], source_agency_name=row["agency_name"],
        case_id=row["case_id"], case_title=row["case_title"], duplicate_of_id=row["duplicate_of_id"],
        confidential=confidential, signers=signers, signers_masked=not visible,
        signers_text=signer_display(confidential, [r.full_name for r in signer_rows],
                                    anonymous=bool(row["anonymous"]), viewer=viewer),
        attachments=tuple(attachments),
    )


def mark_duplicate(engine: Engine, petition_id: uuid.UUID, seen_version: int,
                   duplicate_of_id: uuid.UUID | None, *, actor: str | None = None) -> SavedPetition:
    """Mark a petition as a duplicate of an earlier one (đơn trùng), or clear the mark (None).

    The petition also joins the original's case when it has none of its own. No cycles: a petition
    cannot be a duplicate of one that is (through any chain) a duplicate of it.
    """
    with engine.begin() as conn:
        before = conn.execute(select(_P).where(_P.c.id == petition_id)).mappings().first()
        if before is None:
            raise NotFoundError("Không tìm thấy đơn này (có thể đã bị xóa ở nơi khác).")
        if before["version"] != seen_version:
            raise ConflictError(_conflict_message(conn, petition_id, seen_version, before))
        values: dict[str, Any] = {"duplicate_of_id": duplicate_of_id}
        if duplicate_of_id is not None:
            problem = _duplicate_problem(conn, petition_id, duplicate_of_id)
            if problem:
                raise ValidationError(problem)
            original_case = conn.execute(select(_P.c.case_id).where(_P.c.id == duplicate_of_id)).scalar()
            if before["case_id"] is None and original_case is not None:
                values["case_id"] = original_case
        try:
            version = update_versioned(conn, _P, petition_id, seen_version, values)
        except StaleVersion as exc:
            if exc.current is None:
                raise NotFoundError("Đơn này vừa bị xóa ở nơi khác.") from None
            raise ConflictError(_conflict_message(conn, petition_id, seen_version, exc.current)) from None
        changed = [name for name, value in values.items() if before[name] != value]
        _audit(conn, "petition.duplicate", "petition", petition_id,
               {"version": version, "changed": changed,
                "duplicate_of": str(duplicate_of_id) if duplicate_of_id else None}, actor)
    return SavedPetition(petition_id, version, bool(before["confidential"]))


# --- attachments -------------------------------------------------------------------------------------------


def _attachment_infos(conn: Connection, petition_ids: Sequence[uuid.UUID],
                      visible: dict[uuid.UUID, bool]) -> list[AttachmentInfo]:
    rows = conn.execute(
        select(_A.c.id, _A.c.petition_id, _A.c.file_name, _A.c.media_type, _A.c.size, _A.c.sha256, _A.c.added_at)
        .where(_A.c.petition_id.in_(list(petition_ids))).order_by(_A.c.added_at, _A.c.file_name, _A.c.id)
    ).all()
    infos = []
    for n, r in enumerate(rows, start=1):
        # A file name may carry the denouncer's name ("don_cua_ong_A.pdf"): hidden like the name.
        name = r.file_name if visible.get(r.petition_id, False) else f"{CONFIDENTIAL_ATTACHMENT} {n}"
        infos.append(AttachmentInfo(r.id, r.petition_id, name, r.media_type, r.size, r.sha256, r.added_at))
    return infos


def _petition_confidential(conn: Connection, petition_id: uuid.UUID) -> bool:
    confidential = conn.execute(select(_P.c.confidential).where(_P.c.id == petition_id)).scalar()
    if confidential is None:
        raise NotFoundError("Không tìm thấy đơn này (có thể đã bị xóa ở nơi khác).")
    return bool(confidential)


def add_attachment(engine: Engine, petition_id: uuid.UUID, path: Path | str, *,
                   actor: str | None = None, viewer: Viewer | None = None) -> AttachmentInfo:
    """Attach a file (scan, photo) to a saved petition; ValidationError when it is too large or unreadable."""
    data = _read_file(Path(path))
    with engine.begin() as conn:
        confidential = _petition_confidential(conn, petition_id)
        (attachment_id,) = _insert_attachments(conn, petition_id, [data])
        _audit(conn, "attachment.add", "petition", petition_id,
               {"attachment": str(attachment_id), "size": len(data.data), "media_type": data.media_type}, actor)
        infos = _attachment_infos(conn, [petition_id], {petition_id: may_see_identity(confidential, viewer)})
    return next(i for i in infos if i.id == attachment_id)


def list_attachments(engine: Engine, petition_id: uuid.UUID, viewer: Viewer | None = None) -> list[AttachmentInfo]:
    """A petition's attachments, oldest first, without their bytes."""
    with engine.connect() as conn:
        confidential = _petition_confidential(conn, petition_id)
        return _attachment_infos(conn, [petition_id], {petition_id: may_see_identity(confidential, viewer)})


def read_attachment(engine: Engine, attachment_id: uuid.UUID, viewer: Viewer | None = None) -> AttachmentContent:
    """An attachment's bytes; refused for a confidential petition the viewer may not see (a scan
    shows the denouncer's name and handwriting)."""
    with engine.connect() as conn:
        row = conn.execute(select(_A, _P.c.confidential).join(_P, _P.c.id == _A.c.petition_id)
                           .where(_A.c.id == attachment_id)).mappings().first()
        if row is None:
            raise NotFoundError("Không tìm thấy tệp đính kèm (có thể đã bị xóa).")
        if not may_see_identity(bool(row["confidential"]), viewer):
            raise UserError("Tệp này thuộc đơn tố cáo được bảo mật: bạn không có quyền xem "
                            "(Luật Tố cáo, Điều 9 và 56).")
        data = bytes(row["data"])
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise UserError(f"Tệp “{row['file_name']}” trong cơ sở dữ liệu bị hỏng (mã kiểm tra không khớp).")
    info = AttachmentInfo(row["id"], row["petition_id"], row["file_name"], row["media_type"], row["size"],
                          row["sha256"], row["added_at"])
    return AttachmentContent(info, data)


def remove_attachment(engine: Engine, attachment_id: uuid.UUID, *, actor: str | None = None) -> None:
    """Delete one attachment (NotFoundError when it is already gone)."""
    with engine.begin() as conn:
        row = conn.execute(select(_A.c.petition_id, _A.c.size).where(_A.c.id == attachment_id)).first()
        if row is None:
            raise NotFoundError("Không tìm thấy tệp đính kèm (có thể đã bị xóa ở nơi khác).")
        conn.execute(delete(_A).where(_A.c.id == attachment_id))
        _audit(conn, "attachment.remove", "petition", row.petition_id,
               {"attachment": str(attachment_id), "size": row.size}, actor)


# --- settings -----------------------------------------------------------------------------------------------


def duplicate_months(engine: Engine) -> int:
    """How many months back the duplicate suggestion looks (setting ``duplicates.months``, default 12)."""
    with engine.connect() as conn:
        value = conn.execute(select(_SETTING.c.value).where(_SETTING.c.key == DUPLICATE_MONTHS_KEY)).scalar()
    try:
        months = int(value) if value is not None else DEFAULT_DUPLICATE_MONTHS
    except ValueError:
        return DEFAULT_DUPLICATE_MONTHS
    return months if 1 <= months <= MAX_DUPLICATE_MONTHS else DEFAULT_DUPLICATE_MONTHS


def set_duplicate_months(engine: Engine, months: int) -> None:
    if not 1 <= months <= MAX_DUPLICATE_MONTHS:
        raise ValidationError(f"Số tháng tìm đơn trùng phải từ 1 đến {MAX_DUPLICATE_MONTHS}.")
    with engine.begin() as conn:
        done = conn.execute(update(_SETTING).where(_SETTING.c.key == DUPLICATE_MONTHS_KEY)
                            .values(value=str(months), updated_at=utcnow()))
        if done.rowcount == 0:
            conn.execute(insert(_SETTING), [{"key": DUPLICATE_MONTHS_KEY, "value": str(months),
                                             "updated_at": utcnow()}])


# --- duplicate suggestion -------------------------------------------------------------------------------------

# Words are runs of letters and digits of the folded text, as the word indexes split it.
_WORD = re.compile(r"[^\W_]+")
# How many of the query's rarest words are asked of the word index (storage.duplicate_queries.stages:
# at least two of the first four, three, all four, then all of them).
RARE_WORDS = 8
# A petition is "similar" from this score on (see _similarity).
SIMILAR = 0.4
MAX_QUERY_WORDS = 60
# PostgreSQL: at most this many rows (summed over the words asked) read from the GIN index per
# condition, ~5 ms at ~50 ns a posting.
PG_POSTINGS_BUDGET = 100_000
MAX_QUERY_SIGNERS = 50
_PLAIN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class DuplicateHit:
    id: uuid.UUID
    received_on: date
    kind: str
    kind_label: str
    summary: str
    signers: str  # masked by services.visibility
    same_signer: bool
    similarity: float  # 0..1, see _similarity
    handling: str | None
    state: str  # handling direction's label, "Chưa xử lý", or that it is itself a duplicate
    duplicate_of_id: uuid.UUID | None
    case_id: uuid.UUID | None


def words_of(text: str | None) -> list[str]:
    """The distinct folded words of a text, in order."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it has fewer)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


@dataclass(frozen=True, slots=True)
class _Weights:
    """Inverse document frequency of words: log(1 + N / rows holding the word)."""

    rows: int
    known: dict[str, float]  # the query's words that some petition holds
    sample: dq.Sample

    def of(self, word: str) -> float:
        weight = self.known.get(word)
        if weight is not None:
            return weight
        share = self.sample.share(word)
        # A word of the earlier petition that is not among the newest summaries: about as rare as
        # one petition in a thousand.
        rows = share * self.rows if share else self.rows / 1000
        return math.log(1 + self.rows / max(1.0, rows))


def _query_weights(conn: Connection, words: Sequence[str]) -> tuple[_Weights, list[str]]:
    """The weights of the query's words and its least common ones that some petition holds (at
    most RARE_WORDS, rarest first: what the word index is asked for)."""
    sample = dq.word_sample(conn, words_of_key)
    rows = max(1, sample.rows)
    known: dict[str, float] = {}
    rare: list[tuple[float, int, str]] = []
    if conn.dialect.name == "sqlite":
        # Words common among the newest summaries are common: their share there is estimate
        # enough, and counting their long posting lists would cost the most. The others are
        # counted in the word index (up to COUNT_CAP).
        common = {w: share * rows for w in words
                  if (share := sample.share(w)) is not None and share * rows > dq.COUNT_CAP}
        counts = dq.sqlite_word_counts(conn, [w for w in words if w not in common])
        if counts is None:  # word index suspended (a bulk import is running): no content matches
            return _Weights(rows, {}, sample), []
        for word in words:
            if word in common:
                estimate = common[word]
            elif counts[word] == 0:
                continue  # in no summary (a typo, a word being typed): nothing can share it
            elif counts[word] <= dq.COUNT_CAP:
                estimate = float(counts[word])
            else:
                share = sample.share(word)
                estimate = max(float(counts[word]), share * rows if share else 0.0)
            known[word] = math.log(1 + rows / estimate)
            rare.append((estimate, 0, word))
    else:
        shares, present, floor = dq.pg_word_shares(conn, words)
        for word in words:
            if present is not None and word not in present:
                continue
            if word in shares:
                estimate = shares[word] * rows
            else:
                # Not among the common words ANALYZE lists: rarer than the least common of them.
                share = sample.share(word)
                estimate = share * rows if share else (floor * rows / 2 if floor else 1.0)
            estimate = max(1.0, estimate)
            known[word] = math.log(1 + rows / estimate)
            # Unknown counts among rare words: longer words and numbers first.
            if _PLAIN.fullmatch(word):
                rare.append((estimate, -len(word) - (5 if any(c.isdigit() for c in word) else 0), word))
    rare.sort()
    chosen = [w for _, _, w in rare[:RARE_WORDS]]
    if conn.dialect.name != "sqlite":
        # GIN reads the whole posting list of every word asked (FTS5 streams, newest first, and
        # stops at the limit): only words whose rows add up to PG_POSTINGS_BUDGET are asked.
        # A summary of common words only ("khiếu nại quyết định…", still being typed) is then
        # matched by signer alone until a distinctive word comes.
        chosen, total = [], 0.0
        for estimate, _, word in rare[:RARE_WORDS]:
            if total + estimate > PG_POSTINGS_BUDGET:
                break
            chosen.append(word)
            total += estimate
    return _Weights(rows, known, sample), chosen


def words_of_key(key: str) -> list[str]:
    """The distinct words of an already folded key."""
    return list(dict.fromkeys(_WORD.findall(key)))


def _similarity(query: Sequence[str], key: str | None, weights: _Weights) -> float:
    """How much of the query the earlier summary says, 0..1.

    Each word weighs its inverse document frequency (rare words — a place, a plot number, a name —
    count far more than "khiếu nại", "đất", "xã"). Score = shared weight / (query weight + half the
    weight of the words only the earlier summary has): 1 for the same words, still high when the
    earlier summary says a little more, low when only common words are shared.
    """
    query_weights = {w: weights.known[w] for w in query if w in weights.known}
    total = sum(query_weights.values())
    if total <= 0:
        return 0.0
    other = set(words_of_key(key or ""))
    shared = sum(weight for w, weight in query_weights.items() if w in other)
    asked = set(query)  # a query word left out of the weights (no petition holds it) is not "extra"
    extra = sum(weights.of(w) for w in other if w not in asked)
    return shared / (total + 0.5 * extra)


def _state(handling: str | None, duplicate_of_id: uuid.UUID | None) -> str:
    if duplicate_of_id is not None:
        return "Đã đánh dấu là đơn trùng"
    if not handling:
        return "Chưa xử lý"
    try:
        return HandlingDirection(handling).label
    except ValueError:
        return handling


def _kind_label(kind: str) -> str:
    try:
        return PetitionKind(kind).label
    except ValueError:
        return kind


def _short_names(names: Sequence[str], most: int = 3) -> list[str]:
    if len(names) <= most:
        return list(names)
    return [*names[:most], f"và {len(names) - most} người khác"]


def suggest_duplicates(engine: Engine, signer_ids: Sequence[uuid.UUID], summary: str | None,
                       received_on: date, months: int | None = None, limit: int = 5, *,
                       exclude_id: uuid.UUID | None = None, viewer: Viewer | None = None) -> list[DuplicateHit]:
    """Petitions received in the ``months`` before ``received_on`` (setting duplicates.months when
    None) that share a signer or say much the same, best first.

    Order: same signer and similar summary; then similar summary (other signers); then the
    signer's other petitions; within each, the most similar, then the newest. Accent- and
    case-insensitive (folded words). Confidential petitions are matched by signer only for a
    viewer who may see their signers, and their signers are masked otherwise. ``exclude_id``: the
    petition being edited.
    """
    if months is None:
        months = duplicate_months(engine)
    if not 1 <= months <= MAX_DUPLICATE_MONTHS:
        raise ValidationError(f"Số tháng tìm đơn trùng phải từ 1 đến {MAX_DUPLICATE_MONTHS}.")
    if limit < 1:
        return []
    start = months_before(received_on, months)
    signers = list(dict.fromkeys(signer_ids))[:MAX_QUERY_SIGNERS]
    query = words_of(summary)[:MAX_QUERY_WORDS]
    if not signers and not query:
        return []
    with engine.connect() as conn:
        search_queries.begin_search(conn)
        by_signer = dq.signer_candidates(conn, signers, start, received_on,
                                         include_confidential=signers_searchable(True, viewer))
        weights, rare = _query_weights(conn, query) if query else (None, [])
        by_content = dq.content_candidates(conn, rare, start, received_on) if rare else []
        same_signer = {r.id for r in by_signer}
        candidates = {r.id: r for r in [*by_content, *by_signer] if r.id != exclude_id}
        scored = []
        for row in candidates.values():
            similarity = _similarity(query, row.summary_key, weights) if weights is not None else 0.0
            same = row.id in same_signer
            if not same and similarity < SIMILAR:
                continue
            tier = 0 if same and similarity >= SIMILAR else 1 if similarity >= SIMILAR else 2
            scored.append((tier, -similarity, -row.received_on.toordinal(), str(row.id), row, similarity, same))
        scored.sort(key=lambda item: item[:4])
        best = scored[:limit]
        names = dq.signers_of(conn, [item[4].id for item in best])
    hits = []
    for _, _, _, _, row, similarity, same in best:
        shown = signer_display(bool(row.confidential), _short_names([n for _, n in names.get(row.id, [])]),
                               anonymous=bool(row.anonymous), viewer=viewer)
        hits.append(DuplicateHit(
            id=row.id, received_on=row.received_on, kind=row.kind, kind_label=_kind_label(row.kind),
            summary=row.summary or "", signers=shown, same_signer=same, similarity=round(similarity, 3),
            handling=row.handling, state=_state(row.handling, row.duplicate_of_id),
            duplicate_of_id=row.duplicate_of_id, case_id=row.case_id,
        ))
    return hits


__all__ = [
    "DEFAULT_DUPLICATE_MONTHS",
    "DUPLICATE_MONTHS_KEY",
    "FIELD_LABELS",
    "MAX_ATTACHMENT_BYTES",
    "AttachmentContent",
    "AttachmentInfo",
    "DuplicateHit",
    "PetitionInput",
    "PetitionView",
    "SavedPetition",
    "SignerView",
    "add_attachment",
    "duplicate_months",
    "human_size",
    "list_attachments",
    "load_petition",
    "mark_duplicate",
    "media_type_of",
    "months_before",
    "read_attachment",
    "register_petition",
    "remove_attachment",
    "set_duplicate_months",
    "suggest_duplicates",
    "update_petition",
    "words_of",
]

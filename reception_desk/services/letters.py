"""The documents the desk issues: forwarding letters, notices, guidance, returns, chases, receipts.

Each ``issue_*`` is one transaction (or runs inside the caller's, when given a Connection: the
transfer form saves the transfers and their letters together, services.transfers): the number is
taken from the series' gap-free counter (storage.numbering) in that transaction, so a failure gives
it back and two desks on one PostgreSQL never get the same number; the printed text is assembled
from the office's template (services.letter_templates), the letterhead and signer of the settings
and the facts of the database, then stored as a snapshot so a reprint is the same letter.

Denouncers (Luật Tố cáo Điều 8, 9, 56; domain notes §5). A petition is *protected* when it is a
denunciation or marked confidential. Letters about it that go to anybody but the petitioner
(forwarding letter, chase letter, return to the agency that sent it) never carry the signers'
name, address, phone or ID: their templates have no placeholder for them (or get the masked text),
the summary goes through ``domain.letters.redact``, and ``leaked_identity`` must find nothing in
the finished text or nothing is issued. Letters addressed to the petitioner (notice, guidance,
return, receipt) carry their name and address; issuing one for a protected petition is audited
("identity_used"), and the register shows its recipient masked.

A cancelled letter keeps its number (status void, with the reason); ``void_letter``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, insert, select

from reception_desk.domain.enums import PetitionKind
from reception_desk.domain.letters import (
    CONFIDENTIAL_DENOUNCER,
    KIND_LABELS,
    Identity,
    LetterContent,
    Letterhead,
    LetterKind,
    LetterStatus,
    SignerBlock,
    content_from_dict,
    content_to_dict,
    date_text,
    honorific,
    join_names,
    leaked_identity,
    office_name_in_text,
    place_date_line,
    recipient_lines,
    redact,
    salutation_lines,
    symbol_text,
)
from reception_desk.domain.text import fold, nfc
from reception_desk.services.citizens import current_actor, jsonable
from reception_desk.services.errors import ConflictError, NotFoundError, ValidationError
from reception_desk.services.letter_templates import (
    LetterTemplate,
    Value,
    load_template,
    parse_template,
    render,
    saved_office_in_text,
)
from reception_desk.services.settings import PREFIX as SETTINGS_PREFIX
from reception_desk.services.settings import OfficeSettings
from reception_desk.services.visibility import Viewer
from reception_desk.storage import letters as store
from reception_desk.storage.models import (
    Agency,
    AuditEvent,
    Case,
    Citizen,
    Petition,
    PetitionSigner,
    Setting,
    Transfer,
    Visit,
    VisitCitizen,
    new_id,
    utcnow,
)
from reception_desk.storage.numbering import last_number, next_number
from reception_desk.storage.versioning import StaleVersion, update_versioned

_doc: Table = store.documents
_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]
_agency: Table = Agency.__table__  # type: ignore[assignment]
_visit: Table = Visit.__table__  # type: ignore[assignment]
_visit_citizen: Table = VisitCitizen.__table__  # type: ignore[assignment]
_case: Table = Case.__table__  # type: ignore[assignment]
_setting: Table = Setting.__table__  # type: ignore[assignment]
_audit_table: Table = AuditEvent.__table__  # type: ignore[assignment]

MAX_REASON = 500  # issued_document.void_reason
MAX_ITEM = 500  # one returned / received document
MAX_ITEMS = 200
MAX_TEXT = 2000  # guidance text, return reason, competent body
MASKED_PETITIONER = CONFIDENTIAL_DENOUNCER[:1].lower() + CONFIDENTIAL_DENOUNCER[1:]
SETTINGS_HINT = "Hãy vào Cài đặt → Cơ quan để điền"

# The law of the petition's kind, cited in the letters (domain notes §1.1).
LAW_OF_KIND = {
    PetitionKind.COMPLAINT.value: "Luật Khiếu nại năm 2011",
    PetitionKind.DENUNCIATION.value: "Luật Tố cáo năm 2018",
    PetitionKind.RECOMMENDATION.value: "Nghị định số 64/2014/NĐ-CP ngày 26 tháng 6 năm 2014 của Chính phủ "
                                       "quy định chi tiết một số điều của Luật Tiếp công dân",
    PetitionKind.FEEDBACK.value: "Nghị định số 64/2014/NĐ-CP ngày 26 tháng 6 năm 2014 của Chính phủ "
                                 "quy định chi tiết một số điều của Luật Tiếp công dân",
}
DEFAULT_ENCLOSURE = "đơn và tài liệu kèm theo (nếu có)"
DENUNCIATION_ENCLOSURE = "đơn tố cáo và tài liệu kèm theo (niêm phong, quản lý theo chế độ mật)"

Db = Engine | Connection


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedLetter:
    id: uuid.UUID
    kind: LetterKind
    symbol: str
    number: int
    year: int
    issued_on: date
    status: LetterStatus
    version: int
    content: LetterContent
    # Things the clerk should know about a letter that was issued anyway (a chase before the due date).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LetterRow:
    """One line of the register of issued documents (sổ đăng ký văn bản đi)."""

    id: uuid.UUID
    version: int
    kind: LetterKind
    kind_label: str
    series: str
    year: int
    number: int
    symbol: str
    issued_on: date
    status: LetterStatus
    recipient: str
    subject: str | None
    transfer_id: uuid.UUID | None
    petition_id: uuid.UUID | None
    visit_id: uuid.UUID | None
    issued_by: str | None
    void_reason: str | None
    voided_at: datetime | None
    voided_by: str | None


# --- helpers -----------------------------------------------------------------------------------


@contextmanager
def _transaction(db: Db) -> Iterator[Connection]:
    """A transaction of our own, or the caller's open one (it commits or rolls back everything)."""
    if isinstance(db, Engine):
        with db.begin() as conn:
            yield conn
    else:
        yield db


@contextmanager
def _reading(db: Db) -> Iterator[Connection]:
    if isinstance(db, Engine):
        with db.connect() as conn:
            yield conn
    else:
        yield db


def _uuid(value: uuid.UUID | str, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError(f"Không tìm thấy {what} “{value}”.") from None


def _actor(actor: str | None, viewer: Viewer | None) -> str | None:
    if actor:
        return actor
    if viewer is not None and viewer.user:
        return viewer.user
    return current_actor()


def _audit(conn: Connection, action: str, entity: str, entity_id: uuid.UUID, detail: dict[str, Any],
           actor: str | None) -> None:
    conn.execute(insert(_audit_table), [{
        "id": new_id(), "at": utcnow(), "actor": actor, "action": action, "entity": entity,
        "entity_id": str(entity_id),
        "detail": json.dumps(jsonable(detail), ensure_ascii=False),
    }])


def _office(conn: Connection) -> OfficeSettings:
    """The letterhead and signer; refused (nothing written) while the settings lack them."""
    names = [f.name for f in fields(OfficeSettings)]
    rows = conn.execute(select(_setting.c.key, _setting.c.value)
                        .where(_setting.c.key.in_([SETTINGS_PREFIX + n for n in names]))).all()
    settings = OfficeSettings(**{r.key.removeprefix(SETTINGS_PREFIX): r.value or "" for r in rows})
    if not settings.is_complete:
        missing = [label for name, label in (
            ("office_name", "tên cơ quan"), ("office_symbol", "ký hiệu cơ quan"), ("place_name", "địa danh"),
            ("signer_name", "họ tên người ký"), ("signer_title", "chức vụ người ký")) if not getattr(settings, name)]
        raise ValidationError(f"Chưa đủ thông tin cơ quan để in văn bản (thiếu {', '.join(missing)}). "
                              f"{SETTINGS_HINT} rồi phát hành lại; chưa có văn bản nào được ghi.", missing)
    return settings


def _clean_items(items: Sequence[str], what: str) -> list[str]:
    cleaned = [nfc(i) or "" for i in items]
    cleaned = [i for i in cleaned if i]
    if not cleaned:
        raise ValidationError(f"Cần ghi ít nhất một {what}.")
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError(f"Quá nhiều {what} ({len(cleaned)}, tối đa {MAX_ITEMS}).")
    long = [i for i in cleaned if len(i) > MAX_ITEM]
    if long:
        raise ValidationError(f"Có {what} ghi quá dài ({len(long[0])} ký tự, tối đa {MAX_ITEM}): “{long[0][:40]}…”.")
    if any("$" in i for i in cleaned):
        cleaned = [i.replace("$", "＄") for i in cleaned]  # a list item is printed as is, never as a placeholder
    return cleaned


def _clean_text(value: str | None, what: str, *, required: bool) -> str:
    text = nfc(value) or ""
    if required and not text:
        raise ValidationError(f"Cần ghi {what}.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{what[:1].upper()}{what[1:]} quá dài ({len(text)} ký tự, tối đa {MAX_TEXT}).")
    return text


def _sentence(text: str | None) -> str:
    """A text placed before a template's own full stop: no trailing punctuation of its own."""
    return (text or "").strip().rstrip(".;:, ")


# --- facts -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    id: uuid.UUID
    full_name: str
    gender: str | None
    address: str | None
    phone: str | None
    id_number: str | None

    @property
    def called(self) -> str:
        return f"{honorific(self.gender)} {self.full_name}"


@dataclass(frozen=True)
class _PetitionFacts:
    id: uuid.UUID
    kind: str
    received_on: date
    dated_on: date | None
    summary: str | None
    confidential: bool
    anonymous: bool
    source_agency_id: uuid.UUID | None
    signers: list[_Person] = field(default_factory=list)

    @property
    def protected(self) -> bool:
        return self.kind == PetitionKind.DENUNCIATION.value or self.confidential

    @property
    def identity(self) -> Identity:
        return Identity.of(*(v for s in self.signers for v in (s.full_name, s.address, s.phone, s.id_number)))


def _persons(conn: Connection, query: Any) -> list[_Person]:
    return [_Person(r.id, r.full_name, r.gender, r.address, r.phone, r.id_number) for r in conn.execute(query)]


def _person_columns() -> tuple[Any, ...]:
    c = _citizen
    return (c.c.id, c.c.full_name, c.c.gender, c.c.address, c.c.phone, c.c.id_number)


def _petition_facts(conn: Connection, petition_id: uuid.UUID) -> _PetitionFacts:
    p = _petition
    row = conn.execute(select(p.c.id, p.c.kind, p.c.received_on, p.c.dated_on, p.c.summary, p.c.confidential,
                              p.c.anonymous, p.c.source_agency_id).where(p.c.id == petition_id)).first()
    if row is None:
        raise NotFoundError("Không tìm thấy đơn (có thể đã bị xóa ở bàn khác).")
    signers = _persons(conn, select(*_person_columns()).join(_signer, _signer.c.citizen_id == _citizen.c.id)
                       .where(_signer.c.petition_id == petition_id)
                       .order_by(_signer.c.ordinal, _citizen.c.name_key))
    return _PetitionFacts(row.id, row.kind, row.received_on, row.dated_on, row.summary, bool(row.confidential),
                          bool(row.anonymous), row.source_agency_id, signers)


def _transfer_row(conn: Connection, transfer_id: uuid.UUID, *, lock: bool = False) -> Row[Any]:
    query = select(_transfer).where(_transfer.c.id == transfer_id)
    if lock:  # two desks issuing the letter of one transfer queue up here (PostgreSQL; SQLite serialises)
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFoundError("Không tìm thấy phiếu chuyển đơn (có thể đã bị xóa ở bàn khác).")
    return row


def _agency_names(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {r.id: r.name for r in conn.execute(select(_agency.c.id, _agency.c.name).where(_agency.c.id.in_(list(ids))))}


def _kind_word(kind: str) -> str:
    try:
        return PetitionKind(kind).label.lower()
    except ValueError:
        return kind


def _petition_values(p: _PetitionFacts, *, protect: bool) -> dict[str, Value]:
    summary = _sentence(p.summary)
    if protect:
        summary = redact(summary, p.identity)
    return {
        "ngay_don": date_text(p.dated_on or p.received_on),
        "ngay_nhan_don": date_text(p.received_on),
        "loai_don": _kind_word(p.kind),
        "tom_tat": summary,
        "can_cu_luat": LAW_OF_KIND.get(p.kind, ""),
    }


def _petitioner_values(signers: Sequence[_Person], *, masked: bool, anonymous: bool) -> dict[str, Value]:
    if masked:
        return {"nguoi_gui": MASKED_PETITIONER, "dia_chi_nguoi_gui": "", "thong_tin_nguoi_gui": MASKED_PETITIONER}
    if not signers:
        who = "người gửi đơn không ghi tên (đơn nặc danh)" if anonymous else "người gửi đơn"
        return {"nguoi_gui": "", "dia_chi_nguoi_gui": "", "thong_tin_nguoi_gui": who}
    called = [s.called for s in signers]
    names = join_names(called) if len(called) <= 3 else f"{called[0]} và {len(called) - 1} người khác cùng đứng đơn"
    address = signers[0].address or ""
    info = f"{names}, địa chỉ: {_sentence(address)}" if address else names
    return {"nguoi_gui": names, "dia_chi_nguoi_gui": _sentence(address), "thong_tin_nguoi_gui": info}


def _require_petitioner(p: _PetitionFacts, what: str) -> None:
    if not p.signers:
        reason = "đơn nặc danh" if p.anonymous else "đơn chưa ghi người đứng đơn"
        raise ValidationError(f"Không lập được {what}: {reason}, không có người nhận.")


def _numbered(items: Sequence[str]) -> list[str]:
    return [f"{i}. {_sentence(item)};" if i < len(items) else f"{i}. {_sentence(item)}."
            for i, item in enumerate(items, start=1)]


# --- issuing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Issue:
    """One letter to number, word, check and store."""

    template: LetterTemplate
    issued_on: date
    values: dict[str, Value]
    recipient: str  # the register's "to whom" (never a denouncer: masked when it is one)
    subject_hint: str | None = None
    protect: Identity | None = None  # values that must not appear anywhere in the text
    confidential: bool = False
    transfer_id: uuid.UUID | None = None
    petition_id: uuid.UUID | None = None
    visit_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    citizen_id: uuid.UUID | None = None
    identity_used: bool = False  # the letter carries a protected petitioner's identity (to them)
    audit: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _office_values(conn: Connection, settings: OfficeSettings) -> dict[str, Value]:
    return {
        "ten_co_quan": saved_office_in_text(conn) or office_name_in_text(settings.office_name),
        "ten_co_quan_in_hoa": settings.office_name,
        "co_quan_chu_quan": settings.superior_body,
        "ky_hieu_co_quan": settings.office_symbol,
        "dia_danh": settings.place_name,
        "dia_chi_co_quan": settings.address,
        "dien_thoai_co_quan": settings.phone,
    }


def _compose(conn: Connection, settings: OfficeSettings, template: LetterTemplate, values: dict[str, Value],
             issued_on: date, symbol: str, *, confidential: bool, document_id: str | None) -> tuple[LetterContent, str | None]:
    """The letter's printed content (and its subject) from the template, the settings and the values."""
    values = {**_office_values(conn, settings), **values, "so_ky_hieu": symbol, "ngay_van_ban": date_text(issued_on)}
    text = render(template, values, confidential=confidential)
    content = LetterContent(
        kind=template.kind,
        letterhead=Letterhead(settings.superior_body, settings.office_name, settings.place_name),
        number_line=f"Số: {symbol}",
        place_date=place_date_line(settings.place_name, issued_on),
        title=text.title,
        subject=text.subject,
        salutation=salutation_lines(list(text.salutation)),
        paragraphs=text.paragraphs,
        recipients=recipient_lines(list(text.recipients), text.archive),
        signer=SignerBlock(settings.signer_on_behalf, settings.signer_title, settings.signer_name),
        security_mark=text.security_mark,
        document_id=document_id,
    )
    return content, text.subject


def _issue(conn: Connection, settings: OfficeSettings, job: _Issue, actor: str | None) -> IssuedLetter:
    template = job.template
    year = job.issued_on.year
    number = next_number(conn, template.series, year)
    symbol = symbol_text(template.symbol_pattern, number, template.series, settings.office_symbol)
    doc_id = new_id()
    content, subject = _compose(conn, settings, template, job.values, job.issued_on, symbol,
                                confidential=job.confidential, document_id=str(doc_id))
    if job.protect is not None:
        leaks = leaked_identity(content, job.protect)
        if leaks:  # the last check (domain notes §5): raising rolls the number back as well
            raise ValidationError(
                f"Không phát hành: {KIND_LABELS[template.kind].lower()} gửi cho người khác có chứa thông tin "
                f"của người tố cáo ({len(leaks)} chi tiết: tên, địa chỉ, số điện thoại hoặc số giấy tờ). "
                "Hãy xem lại tóm tắt nội dung đơn và mẫu văn bản (Cài đặt → Mẫu văn bản).")
    snapshot = {**content_to_dict(content), "template": template.name}
    now = utcnow()
    store.insert_document(conn, {
        "id": doc_id, "created_at": now, "updated_at": now, "version": 1,
        "kind": template.kind.value, "series": template.series, "year": year, "number": number, "symbol": symbol,
        "issued_on": job.issued_on, "status": LetterStatus.ISSUED.value,
        "transfer_id": job.transfer_id, "petition_id": job.petition_id, "visit_id": job.visit_id,
        "agency_id": job.agency_id, "citizen_id": job.citizen_id,
        "recipient": job.recipient, "subject": subject or job.subject_hint or template.label,
        "content": json.dumps(snapshot, ensure_ascii=False), "issued_by": actor,
        "search_key": fold(" ".join((symbol, job.recipient, subject or job.subject_hint or template.label))),
    })
    _audit(conn, "letter.issue", "issued_document", doc_id, {
        "kind": template.kind.value, "template": template.name, "symbol": symbol, "issued_on": job.issued_on,
        "transfer_id": job.transfer_id, "petition_id": job.petition_id, "visit_id": job.visit_id,
        "identity_used": job.identity_used, **job.audit,
    }, actor)
    return IssuedLetter(doc_id, template.kind, symbol, number, year, job.issued_on, LetterStatus.ISSUED, 1,
                        content, job.warnings)


def _letter(row: Row[Any]) -> IssuedLetter:
    status = LetterStatus(row.status)
    content = content_from_dict(json.loads(row.content), void=status is LetterStatus.VOID, document_id=str(row.id))
    return IssuedLetter(row.id, LetterKind(row.kind), row.symbol, row.number, row.year, row.issued_on, status,
                        row.version, content)


def _check_date(issued_on: date, earliest: date, what: str) -> None:
    if issued_on < earliest:
        raise ValidationError(f"Ngày văn bản {date_text(issued_on)} ở trước {what} {date_text(earliest)}.")


def _set_transfer_number(conn: Connection, transfer: Row[Any], symbol: str, document_id: uuid.UUID,
                         actor: str | None) -> None:
    """The transfer records the forwarding letter's number when the clerk typed none."""
    if transfer.number is not None:
        return
    version = update_versioned(conn, _transfer, transfer.id, transfer.version, {"number": symbol})
    _audit(conn, "transfer.letter", "transfer", transfer.id,
           {"version": version, "changes": {"number": [None, symbol]}, "document_id": document_id}, actor)


# --- forwarding letter -------------------------------------------------------------------------


def issue_forwarding(db: Db, transfer_id: uuid.UUID | str, *, issued_on: date | None = None,
                     viewer: Viewer | None = None, reissue: bool = False, actor: str | None = None) -> IssuedLetter:
    """The forwarding letter of one transfer (phiếu chuyển đơn; tố cáo: phiếu chuyển đơn tố cáo, MẬT).

    Dated the day the transfer was sent unless told. Idempotent: a transfer that already has a
    letter in force gets that letter back (no new number). After the letter was voided, a new one
    is issued only with ``reissue=True``. The transfer's ``number`` becomes the letter's symbol
    when the clerk typed none.
    """
    tid = _uuid(transfer_id, "phiếu chuyển đơn")
    who = _actor(actor, viewer)
    with _transaction(db) as conn:
        settings = _office(conn)
        transfer = _transfer_row(conn, tid, lock=True)
        existing = store.documents_of(conn, kind=LetterKind.FORWARDING.value, transfer_ids=[tid])
        active = [d for d in existing if d.status == LetterStatus.ISSUED.value]
        if active:
            if reissue:
                raise ValidationError(f"Phiếu chuyển đơn số {active[-1].symbol} của lần chuyển này vẫn còn hiệu lực; "
                                      "hãy hủy phiếu đó trước khi phát hành phiếu mới.")
            return _letter(active[-1])
        if existing and not reissue:
            last = existing[-1]
            raise ValidationError(f"Phiếu chuyển đơn số {last.symbol} của lần chuyển này đã bị hủy"
                                  f" (lý do: {last.void_reason}). Chọn “Phát hành lại” để cấp phiếu mới với số mới.")
        p = _petition_facts(conn, transfer.petition_id)
        agency = _agency_names(conn, [transfer.agency_id]).get(transfer.agency_id, "")
        day = issued_on or transfer.sent_on
        _check_date(day, transfer.sent_on, "ngày chuyển đơn")
        protect = p.protected
        values: dict[str, Value] = {
            **_petition_values(p, protect=protect),
            "co_quan_nhan": agency,
            "ngay_chuyen": date_text(transfer.sent_on),
            "han_tra_loi": date_text(transfer.due_on),
            "so_phieu_chuyen": "",
            "phieu_chuyen": "",
            "gui_kem": DENUNCIATION_ENCLOSURE if protect else DEFAULT_ENCLOSURE,
        }
        if not protect:
            values.update(_petitioner_values(p.signers, masked=False, anonymous=p.anonymous))
        template = load_template(conn, "forwarding_denunciation" if protect else "forwarding")
        if not protect and not p.signers:
            # nobody to send a copy "để biết": the petitioner's copy line is left out
            values["nguoi_gui"] = ""
            template = _without_petitioner_copy(template)
        letter = _issue(conn, settings, _Issue(
            template=template, issued_on=day, values=values, recipient=agency, protect=p.identity if protect else None,
            confidential=protect, transfer_id=tid, petition_id=p.id, agency_id=transfer.agency_id,
            audit={"reissue": bool(existing)}), who)
        _set_transfer_number(conn, transfer, letter.symbol, letter.id, who)
    return letter


def _without_petitioner_copy(template: LetterTemplate) -> LetterTemplate:
    return replace(template, recipients=tuple(r for r in template.recipients if "nguoi_gui" not in r))


# --- notice to the petitioner ------------------------------------------------------------------


def issue_notice(db: Db, transfer_ids: uuid.UUID | str | Sequence[uuid.UUID | str] | None = None, *,
                 petition_id: uuid.UUID | str | None = None, issued_on: date | None = None,
                 viewer: Viewer | None = None, actor: str | None = None) -> IssuedLetter:
    """The notice telling the petitioner where the petition went (thông báo việc chuyển đơn).

    For ``transfer_ids`` (all of one petition) or, with ``petition_id``, the petition's transfers
    sent on the latest day. For a denunciation it is the notice to the denouncer (their own name
    and address, nothing else in "Nơi nhận"), audited as a use of their identity. Idempotent for
    the same first transfer while the notice is in force.
    """
    who = _actor(actor, viewer)
    if transfer_ids is None and petition_id is None:
        raise ValidationError("Cần chọn lần chuyển đơn cần thông báo.")
    ids = ([_uuid(transfer_ids, "phiếu chuyển đơn")] if isinstance(transfer_ids, uuid.UUID | str)
           else [_uuid(t, "phiếu chuyển đơn") for t in transfer_ids or ()])
    with _transaction(db) as conn:
        settings = _office(conn)
        if ids:
            rows = list(conn.execute(select(_transfer).where(_transfer.c.id.in_(ids))))
            if len(rows) != len(set(ids)):
                raise NotFoundError("Không tìm thấy lần chuyển đơn đã chọn (có thể đã bị xóa ở bàn khác).")
            # the agencies in the order the clerk chose them (transfers saved together share a time)
            rows.sort(key=lambda r: (r.sent_on, ids.index(r.id)))
        else:
            pid = _uuid(petition_id, "đơn")  # type: ignore[arg-type]
            everything = list(conn.execute(select(_transfer).where(_transfer.c.petition_id == pid)
                                           .order_by(_transfer.c.sent_on, _transfer.c.created_at, _transfer.c.id)))
            if not everything:
                raise ValidationError("Đơn này chưa được chuyển đến cơ quan nào; chưa có gì để thông báo.")
            latest = everything[-1].sent_on
            rows = [r for r in everything if r.sent_on == latest]
        if len({r.petition_id for r in rows}) != 1:
            raise ValidationError("Một thông báo chỉ dành cho các lần chuyển của cùng một đơn.")
        first = rows[0]
        # one notice per sending: a notice in force about any of these transfers is the one
        for d in store.documents_of(conn, kind=LetterKind.NOTICE.value, transfer_ids=[r.id for r in rows]):
            if d.status == LetterStatus.ISSUED.value:
                return _letter(d)
        p = _petition_facts(conn, first.petition_id)
        _require_petitioner(p, "thông báo việc chuyển đơn")
        names = _agency_names(conn, [r.agency_id for r in rows])
        forwarding = {d.transfer_id: d for d in store.documents_of(
            conn, kind=LetterKind.FORWARDING.value, transfer_ids=[r.id for r in rows])
            if d.status == LetterStatus.ISSUED.value}
        letters = []
        for r in rows:
            doc = forwarding.get(r.id)
            number = doc.symbol if doc is not None else r.number
            on = doc.issued_on if doc is not None else r.sent_on
            letters.append(f"Phiếu chuyển đơn số {number} ngày {date_text(on)}" if number
                           else f"văn bản chuyển đơn ngày {date_text(on)}")
        day = issued_on or max(r.sent_on for r in rows)
        _check_date(day, min(r.sent_on for r in rows), "ngày chuyển đơn")
        petitioner = _petitioner_values(p.signers, masked=False, anonymous=p.anonymous)
        values: dict[str, Value] = {
            **_petition_values(p, protect=False), **petitioner,
            "co_quan_nhan": join_names([names.get(r.agency_id, "") for r in rows]),
            "ngay_chuyen": date_text(max(r.sent_on for r in rows)),
            "so_phieu_chuyen": join_names([(forwarding[r.id].symbol if r.id in forwarding else r.number) or ""
                                           for r in rows]),
            "phieu_chuyen": "; ".join(letters),
            "han_tra_loi": join_names(sorted({date_text(r.due_on) for r in rows if r.due_on})),
        }
        template = load_template(conn, "notice_denunciation" if p.protected else "notice")
        letter = _issue(conn, settings, _Issue(
            template=template, issued_on=day, values=values,
            recipient=CONFIDENTIAL_DENOUNCER if p.protected else str(petitioner["nguoi_gui"]),
            transfer_id=first.id, petition_id=p.id, citizen_id=p.signers[0].id, identity_used=p.protected,
            audit={"transfer_ids": [str(r.id) for r in rows],
                   "viewer_may_see_denouncers": bool(viewer and viewer.may_see_denouncers)}), who)
    return letter


# --- guidance, return, receipt ----------------------------------------------------------------------


def issue_guidance(db: Db, petition_id: uuid.UUID | str, *, competent_body: str | None = None,
                   agency_id: uuid.UUID | str | None = None, guidance: str | None = None,
                   issued_on: date | None = None, viewer: Viewer | None = None,
                   actor: str | None = None) -> IssuedLetter:
    """Phiếu hướng dẫn to the petitioner: the office is not competent; send the petition to
    ``competent_body`` (typed) or the agency ``agency_id`` of the directory."""
    pid = _uuid(petition_id, "đơn")
    who = _actor(actor, viewer)
    body = _clean_text(competent_body, "cơ quan có thẩm quyền giải quyết", required=False)
    extra = _clean_text(guidance, "nội dung hướng dẫn", required=False).replace("$", "＄")
    with _transaction(db) as conn:
        settings = _office(conn)
        aid = _uuid(agency_id, "cơ quan") if agency_id is not None else None
        if aid is not None:
            found = _agency_names(conn, [aid])
            if aid not in found:
                raise NotFoundError("Không tìm thấy cơ quan đã chọn trong danh bạ.")
            body = body or found[aid]
        if not body:
            raise ValidationError("Cần ghi cơ quan có thẩm quyền giải quyết để hướng dẫn người đứng đơn.")
        body = body.replace("$", "＄")
        p = _petition_facts(conn, pid)
        _require_petitioner(p, "phiếu hướng dẫn")
        day = issued_on or date.today()
        _check_date(day, p.received_on, "ngày nhận đơn")
        petitioner = _petitioner_values(p.signers, masked=False, anonymous=p.anonymous)
        values: dict[str, Value] = {**_petition_values(p, protect=False), **petitioner,
                                    "co_quan_co_tham_quyen": _sentence(body), "noi_dung_huong_dan": extra}
        letter = _issue(conn, settings, _Issue(
            template=load_template(conn, "guidance"), issued_on=day, values=values,
            recipient=CONFIDENTIAL_DENOUNCER if p.protected else str(petitioner["nguoi_gui"]),
            petition_id=p.id, agency_id=aid, citizen_id=p.signers[0].id, identity_used=p.protected,
            audit={"competent_body": body}), who)
    return letter


def issue_return(db: Db, petition_id: uuid.UUID | str, documents: Sequence[str], *, reason: str,
                 to_source_agency: bool = False, issued_on: date | None = None, viewer: Viewer | None = None,
                 actor: str | None = None) -> IssuedLetter:
    """Văn bản trả lại đơn và giấy tờ, tài liệu: to the petitioner, or (``to_source_agency``) to the
    agency that sent the petition in, which then never reads a denouncer's identity."""
    pid = _uuid(petition_id, "đơn")
    who = _actor(actor, viewer)
    items = _clean_items(documents, "giấy tờ, tài liệu trả lại")
    why = _sentence(_clean_text(reason, "lý do trả lại đơn", required=True)).replace("$", "＄")
    with _transaction(db) as conn:
        settings = _office(conn)
        p = _petition_facts(conn, pid)
        day = issued_on or date.today()
        _check_date(day, p.received_on, "ngày nhận đơn")
        values: dict[str, Value] = {**_petition_values(p, protect=to_source_agency and p.protected),
                                    "ly_do": why, "danh_sach_giay_to": _numbered(items),
                                    "so_luong_giay_to": f"{len(items):02d}"}
        if to_source_agency:
            if p.source_agency_id is None:
                raise ValidationError("Đơn này không do cơ quan khác chuyển đến; chỉ trả lại được cho người đứng đơn.")
            agency = _agency_names(conn, [p.source_agency_id]).get(p.source_agency_id, "")
            values.update(_petitioner_values(p.signers, masked=p.protected, anonymous=p.anonymous))
            values["nguoi_nhan"] = agency
            job = _Issue(template=load_template(conn, "return"), issued_on=day, values=values, recipient=agency,
                         protect=p.identity if p.protected else None, confidential=p.protected,
                         petition_id=p.id, agency_id=p.source_agency_id, audit={"to_source_agency": True})
        else:
            _require_petitioner(p, "văn bản trả lại đơn")
            petitioner = _petitioner_values(p.signers, masked=False, anonymous=p.anonymous)
            values.update(petitioner)
            values["nguoi_nhan"] = petitioner["thong_tin_nguoi_gui"]
            job = _Issue(template=load_template(conn, "return"), issued_on=day, values=values,
                         recipient=CONFIDENTIAL_DENOUNCER if p.protected else str(petitioner["nguoi_gui"]),
                         petition_id=p.id, citizen_id=p.signers[0].id, identity_used=p.protected,
                         audit={"to_source_agency": False})
        letter = _issue(conn, settings, job, who)
    return letter


def issue_receipt(db: Db, documents: Sequence[str], *, petition_id: uuid.UUID | str | None = None,
                  visit_id: uuid.UUID | str | None = None, citizen_id: uuid.UUID | str | None = None,
                  issued_on: date | None = None, viewer: Viewer | None = None,
                  actor: str | None = None) -> IssuedLetter:
    """Giấy biên nhận for documents a citizen handed in (TT 04/2021 Mẫu 02), for a petition or a
    visit; the citizen is ``citizen_id`` or the first signer / the first citizen of the visit."""
    if (petition_id is None) == (visit_id is None):
        raise ValidationError("Giấy biên nhận lập cho một đơn hoặc một lượt tiếp (chọn một trong hai).")
    who = _actor(actor, viewer)
    items = _clean_items(documents, "giấy tờ, tài liệu đã nhận")
    with _transaction(db) as conn:
        settings = _office(conn)
        values: dict[str, Value] = {"danh_sach_giay_to": _numbered(items), "so_luong_giay_to": f"{len(items):02d}"}
        vid = pid = None
        if petition_id is not None:
            pid = _uuid(petition_id, "đơn")
            p = _petition_facts(conn, pid)
            people, protected, earliest = p.signers, p.protected, p.received_on
            values.update(_petition_values(p, protect=False))
        else:
            vid = _uuid(visit_id, "lượt tiếp")  # type: ignore[arg-type]
            visit = conn.execute(select(_visit.c.visit_date, _case.c.kind)
                                 .join(_case, _case.c.id == _visit.c.case_id).where(_visit.c.id == vid)).first()
            if visit is None:
                raise NotFoundError("Không tìm thấy lượt tiếp (có thể đã bị xóa ở bàn khác).")
            people = _persons(conn, select(*_person_columns())
                              .join(_visit_citizen, _visit_citizen.c.citizen_id == _citizen.c.id)
                              .where(_visit_citizen.c.visit_id == vid)
                              .order_by(_visit_citizen.c.role, _visit_citizen.c.ordinal))
            protected, earliest = visit.kind == PetitionKind.DENUNCIATION.value, visit.visit_date
        if citizen_id is not None:
            cid = _uuid(citizen_id, "công dân")
            chosen = [x for x in people if x.id == cid] or _persons(
                conn, select(*_person_columns()).where(_citizen.c.id == cid))
            if not chosen:
                raise NotFoundError("Không tìm thấy công dân nộp tài liệu.")
            people = chosen
        if not people:
            raise ValidationError("Không lập được giấy biên nhận: chưa ghi người nộp tài liệu.")
        giver = people[:1]
        day = issued_on or date.today()
        _check_date(day, earliest, "ngày tiếp nhận")
        petitioner = _petitioner_values(giver, masked=False, anonymous=False)
        values.update(petitioner)
        letter = _issue(conn, settings, _Issue(
            template=load_template(conn, "receipt"), issued_on=day, values=values,
            recipient=CONFIDENTIAL_DENOUNCER if protected else str(petitioner["nguoi_gui"]),
            petition_id=pid, visit_id=vid, citizen_id=giver[0].id, identity_used=protected,
            audit={"items": len(items)}), who)
    return letter


# --- chase -----------------------------------------------------------------------------------------


def chase_warning(db: Db, transfer_id: uuid.UUID | str, on: date | None = None) -> str | None:
    """Why a chase letter for this transfer would be early (not yet overdue), for the form to ask
    first; None when it is overdue. Raises as ``issue_chase`` does when no chase can be issued."""
    with _reading(db) as conn:
        transfer = _transfer_row(conn, _uuid(transfer_id, "phiếu chuyển đơn"))
    return _chase_problem(transfer, on or date.today())


def _chase_problem(transfer: Row[Any], day: date) -> str | None:
    if transfer.answered_on is not None:
        raise ValidationError(f"Cơ quan đã trả lời ngày {date_text(transfer.answered_on)}"
                              + (f" (văn bản số {transfer.answer_number})" if transfer.answer_number else "")
                              + "; không cần đôn đốc.")
    if transfer.due_on is None:
        return "Lần chuyển này không có hạn trả lời; văn bản đôn đốc không ghi được số ngày quá hạn."
    if day <= transfer.due_on:
        return (f"Chưa quá hạn trả lời (hạn ngày {date_text(transfer.due_on)}); "
                "văn bản đôn đốc được lập trước hạn.")
    return None


def issue_chase(db: Db, transfer_id: uuid.UUID | str, *, issued_on: date | None = None,
                viewer: Viewer | None = None, actor: str | None = None) -> IssuedLetter:
    """Văn bản đôn đốc to the agency of a transfer that has not answered; it cites the forwarding
    letter (or the transfer's number) and the due date. Refused when the agency answered; issued
    before the due date with a warning in ``IssuedLetter.warnings`` (see ``chase_warning``)."""
    tid = _uuid(transfer_id, "phiếu chuyển đơn")
    who = _actor(actor, viewer)
    with _transaction(db) as conn:
        settings = _office(conn)
        transfer = _transfer_row(conn, tid)
        day = issued_on or date.today()
        _check_date(day, transfer.sent_on, "ngày chuyển đơn")
        warning = _chase_problem(transfer, day)
        p = _petition_facts(conn, transfer.petition_id)
        agency = _agency_names(conn, [transfer.agency_id]).get(transfer.agency_id, "")
        forwarding = [d for d in store.documents_of(conn, kind=LetterKind.FORWARDING.value, transfer_ids=[tid])
                      if d.status == LetterStatus.ISSUED.value]
        number = forwarding[-1].symbol if forwarding else transfer.number
        sent = forwarding[-1].issued_on if forwarding else transfer.sent_on
        late = (day - transfer.due_on).days if transfer.due_on and day > transfer.due_on else 0
        deadline = ""
        if transfer.due_on is not None:
            deadline = f"ngày {date_text(transfer.due_on)}" + (f" (đã quá hạn {late} ngày)" if late else "")
        values: dict[str, Value] = {
            **_petition_values(p, protect=p.protected),
            **_petitioner_values(p.signers, masked=p.protected, anonymous=p.anonymous),
            "co_quan_nhan": agency, "ngay_chuyen": date_text(transfer.sent_on),
            "so_phieu_chuyen": number or "",
            "phieu_chuyen": (f"Phiếu chuyển đơn số {number} ngày {date_text(sent)}" if number
                             else f"văn bản chuyển đơn ngày {date_text(sent)}"),
            "han_tra_loi": date_text(transfer.due_on), "so_ngay_qua_han": str(late) if late else "",
            "thoi_han_tra_loi": deadline,
        }
        letter = _issue(conn, settings, _Issue(
            template=load_template(conn, "chase"), issued_on=day, values=values, recipient=agency,
            protect=p.identity if p.protected else None, confidential=p.protected, transfer_id=tid,
            petition_id=p.id, agency_id=transfer.agency_id, audit={"days_overdue": late, "warning": warning},
            warnings=(warning,) if warning else ()), who)
    return letter


# --- voiding ---------------------------------------------------------------------------------------


def void_letter(db: Db, document_id: uuid.UUID | str, reason: str, seen_version: int, *,
                actor: str | None = None, viewer: Viewer | None = None) -> IssuedLetter:
    """Cancel a letter: it keeps its number (never reused) and is marked void with the reason.

    A voided forwarding letter clears its transfer's number when that number is the letter's.
    ``seen_version`` is the letter's version the clerk saw (ConflictError when another desk changed it).
    """
    did = _uuid(document_id, "văn bản")
    why = nfc(reason) or ""
    if not why:
        raise ValidationError("Cần ghi lý do hủy văn bản.")
    if len(why) > MAX_REASON:
        raise ValidationError(f"Lý do hủy quá dài ({len(why)} ký tự, tối đa {MAX_REASON}).")
    who = _actor(actor, viewer)
    with _transaction(db) as conn:
        row = conn.execute(select(_doc).where(_doc.c.id == did)).first()
        if row is None:
            raise NotFoundError("Không tìm thấy văn bản (có thể đã bị xóa ở bàn khác).")
        if row.status == LetterStatus.VOID.value:
            raise ValidationError(f"Văn bản số {row.symbol} đã bị hủy trước đó (lý do: {row.void_reason}).")
        if row.version != seen_version:
            raise ConflictError(f"Văn bản số {row.symbol} vừa được sửa ở bàn khác (phiên bản {seen_version} → "
                                f"{row.version}); chưa hủy. Hãy mở lại văn bản.")
        now = utcnow()
        try:
            version = update_versioned(conn, _doc, did, seen_version, {
                "status": LetterStatus.VOID.value, "void_reason": why, "voided_at": now, "voided_by": who})
        except StaleVersion:
            raise ConflictError(f"Văn bản số {row.symbol} vừa được sửa ở bàn khác; chưa hủy. "
                                "Hãy mở lại văn bản.") from None
        _audit(conn, "letter.void", "issued_document", did,
               {"version": version, "symbol": row.symbol, "reason": why}, who)
        if row.kind == LetterKind.FORWARDING.value and row.transfer_id is not None:
            transfer = _transfer_row(conn, row.transfer_id, lock=True)
            if transfer.number == row.symbol:
                tv = update_versioned(conn, _transfer, transfer.id, transfer.version, {"number": None})
                _audit(conn, "transfer.letter", "transfer", transfer.id,
                       {"version": tv, "changes": {"number": [row.symbol, None]}, "document_id": did}, who)
        updated = conn.execute(select(_doc).where(_doc.c.id == did)).one()
    return _letter(updated)


# --- trying a template out ---------------------------------------------------------------------------

# Made-up facts for a template's "Xem thử": every placeholder has a value, none is a real person.
SAMPLE_VALUES: dict[str, Value] = {
    "ngay_don": "20/12/2025", "ngay_nhan_don": "22/12/2025", "loai_don": "khiếu nại",
    "tom_tat": "Khiếu nại Quyết định số 125/QĐ-UBND ngày 10/11/2025 của Ủy ban nhân dân xã Mẫu về việc thu "
               "hồi đất của gia đình tại thôn 1",
    "can_cu_luat": "Luật Khiếu nại năm 2011",
    "nguoi_gui": "ông Nguyễn Văn Mẫu", "dia_chi_nguoi_gui": "thôn 1, xã Mẫu",
    "thong_tin_nguoi_gui": "ông Nguyễn Văn Mẫu, địa chỉ: thôn 1, xã Mẫu",
    "co_quan_nhan": "Chủ tịch Ủy ban nhân dân xã Mẫu", "ngay_chuyen": "05/01/2026",
    "so_phieu_chuyen": "07/PC-BTCD", "phieu_chuyen": "Phiếu chuyển đơn số 07/PC-BTCD ngày 05/01/2026",
    "han_tra_loi": "19/01/2026", "so_ngay_qua_han": "12",
    "thoi_han_tra_loi": "ngày 19/01/2026 (đã quá hạn 12 ngày)", "gui_kem": "đơn và tài liệu kèm theo",
    "co_quan_co_tham_quyen": "Tòa án nhân dân khu vực Mẫu", "noi_dung_huong_dan": "",
    "nguoi_nhan": "ông Nguyễn Văn Mẫu", "ly_do": "đơn đã được giải quyết theo quy định",
    "danh_sach_giay_to": ["Đơn khiếu nại (bản gốc, 02 tờ)", "Bản sao Quyết định số 125/QĐ-UBND"],
    "so_luong_giay_to": "02",
}


def sample_letter(db: Db, name: str, text: str, *, issued_on: date | None = None) -> LetterContent:
    """How template ``name`` would print with ``text`` (not saved), on made-up facts and the office's
    letterhead: for the settings dialog's "Xem thử". Takes no number and writes nothing; a bad
    text raises the ValidationError that saving it would."""
    template = parse_template(name, text, overridden=True)
    day = issued_on or date.today()
    with _reading(db) as conn:
        settings = _office(conn)
        symbol = symbol_text(template.symbol_pattern, last_number(conn, template.series, day.year) + 1,
                             template.series, settings.office_symbol)
        content, _ = _compose(conn, settings, template, dict(SAMPLE_VALUES), day, symbol,
                              confidential=name.endswith("denunciation"), document_id=None)
    return content


# --- reading ---------------------------------------------------------------------------------------


def load_letter(db: Db, document_id: uuid.UUID | str) -> IssuedLetter:
    did = _uuid(document_id, "văn bản")
    with _reading(db) as conn:
        row = conn.execute(select(_doc).where(_doc.c.id == did)).first()
    if row is None:
        raise NotFoundError("Không tìm thấy văn bản (có thể đã bị xóa ở bàn khác).")
    return _letter(row)


def letter_content(db: Db, document_id: uuid.UUID | str) -> LetterContent:
    """The letter exactly as issued (from its snapshot), marked void when it was cancelled."""
    return load_letter(db, document_id).content


def letters_for_period(db: Db, date_from: date, date_to: date, kind: LetterKind | str = LetterKind.FORWARDING,
                       *, include_void: bool = False) -> list[LetterContent]:
    """Every letter of ``kind`` issued in the period, in number order, for one batch PDF (one query)."""
    if date_from > date_to:
        raise ValidationError(f"Từ ngày {date_text(date_from)} ở sau đến ngày {date_text(date_to)}.")
    with _reading(db) as conn:
        rows = store.period_contents(conn, LetterKind(kind).value, date_from, date_to, include_void)
    return [content_from_dict(json.loads(r.content), void=r.status == LetterStatus.VOID.value,
                              document_id=str(r.id)) for r in rows]


def _register_filters(date_from: date | None, date_to: date | None, kind: LetterKind | str | None,
                      status: LetterStatus | str | None, search: str | None,
                      transfer_id: uuid.UUID | str | None, petition_id: uuid.UUID | str | None) -> Any:
    return store.register_query(
        date_from=date_from, date_to=date_to, kind=LetterKind(kind).value if kind else None,
        status=LetterStatus(status).value if status else None, search=nfc(search) or None,
        transfer_id=_uuid(transfer_id, "phiếu chuyển đơn") if transfer_id else None,
        petition_id=_uuid(petition_id, "đơn") if petition_id else None)


def list_letters(db: Db, *, date_from: date | None = None, date_to: date | None = None,
                 kind: LetterKind | str | None = None, status: LetterStatus | str | None = None,
                 search: str | None = None, transfer_id: uuid.UUID | str | None = None,
                 petition_id: uuid.UUID | str | None = None, limit: int = 200, offset: int = 0) -> list[LetterRow]:
    """The register of issued documents, newest first (date, then number), one page."""
    d = store.documents
    query = (_register_filters(date_from, date_to, kind, status, search, transfer_id, petition_id)
             .order_by(d.c.issued_on.desc(), d.c.series, d.c.number.desc()).limit(max(1, limit)).offset(max(0, offset)))
    with _reading(db) as conn:
        rows = conn.execute(query).all()
    return [LetterRow(r.id, r.version, LetterKind(r.kind), KIND_LABELS[LetterKind(r.kind)], r.series, r.year, r.number,
                      r.symbol, r.issued_on, LetterStatus(r.status), r.recipient, r.subject, r.transfer_id,
                      r.petition_id, r.visit_id, r.issued_by, r.void_reason, r.voided_at, r.voided_by) for r in rows]


def count_letters(db: Db, *, date_from: date | None = None, date_to: date | None = None,
                  kind: LetterKind | str | None = None, status: LetterStatus | str | None = None,
                  search: str | None = None, transfer_id: uuid.UUID | str | None = None,
                  petition_id: uuid.UUID | str | None = None) -> int:
    """How many rows ``list_letters`` has with the same filters (for the register's pager)."""
    with _reading(db) as conn:
        return store.count_register(conn, _register_filters(date_from, date_to, kind, status, search,
                                                            transfer_id, petition_id))


def letters_for_transfer(db: Db, transfer_id: uuid.UUID | str) -> list[IssuedLetter]:
    """The letters issued about one transfer (forwarding, notice, chases), oldest first."""
    tid = _uuid(transfer_id, "phiếu chuyển đơn")
    with _reading(db) as conn:
        rows = store.documents_of(conn, transfer_ids=[tid])
    return [_letter(r) for r in rows]


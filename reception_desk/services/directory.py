"""The agency directory (danh bạ cơ quan): where petitions are transferred, who attends sessions.

Agencies are never deleted once anything refers to them (transfers, petitions, sessions, child
agencies): they are deactivated, so old records keep their names. Names are unique by their folded
form within the directory, which is also how an imported file is matched against it: a row whose
name is already there updates that agency instead of adding a second one.

Import reads CSV (UTF-8 with or without BOM; comma, semicolon or tab) and XLSX (first sheet), with
Vietnamese or English column titles. It is all-or-nothing: every problem is listed as
``dòng N: cột: lỗi`` and nothing is written until the whole file is correct.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, Table, and_, bindparam, func, or_, select, update

from reception_desk.domain.enums import AgencyLevel
from reception_desk.domain.text import fold, nfc
from reception_desk.services.errors import (
    CancelCheck,
    Cancelled,
    ConflictError,
    NotFoundError,
    Progress,
    ValidationError,
)
from reception_desk.storage.models import (
    Agency,
    IssuedDocument,
    Petition,
    SessionAgency,
    Transfer,
    new_id,
    utcnow,
)
from reception_desk.storage.versioning import StaleVersion, update_versioned

_agency: Table = Agency.__table__  # type: ignore[assignment]
_transfer: Table = Transfer.__table__  # type: ignore[assignment]
_petition: Table = Petition.__table__  # type: ignore[assignment]
_session_agency: Table = SessionAgency.__table__  # type: ignore[assignment]
_issued: Table = IssuedDocument.__table__  # type: ignore[assignment]

FIELDS = ("name", "short_code", "level", "parent", "address", "email", "phone")
LIMITS = {"name": 300, "short_code": 30, "address": 500, "email": 200, "phone": 40}
LABEL = {
    "name": "Tên cơ quan",
    "short_code": "Ký hiệu",
    "level": "Cấp",
    "parent": "Cơ quan cấp trên",
    "address": "Địa chỉ",
    "email": "Email",
    "phone": "Điện thoại",
}
# Folded column titles accepted by import, Vietnamese and English.
_HEADERS: dict[str, str] = {
    **{h: "name" for h in ("ten co quan", "ten", "name", "co quan", "ten don vi", "agency", "agency name")},
    **{h: "short_code" for h in ("ky hieu", "short code", "short_code", "ma", "viet tat", "code")},
    **{h: "level" for h in ("cap", "level", "cap hanh chinh")},
    **{h: "parent" for h in ("co quan cap tren", "cap tren", "parent", "don vi cap tren", "co quan chu quan")},
    **{h: "address" for h in ("dia chi", "address")},
    **{h: "email" for h in ("email", "e-mail", "thu dien tu", "dia chi email")},
    **{h: "phone" for h in ("dien thoai", "so dien thoai", "phone", "sdt", "telephone", "tel")},
}
# Levels as a clerk writes them (folded) → AgencyLevel.
_LEVELS: dict[str, str] = {
    **{fold(level.label): level.value for level in AgencyLevel},
    **{level.value: level.value for level in AgencyLevel},
    "trung uong": "central", "tw": "central",
    "tinh": "province", "cap tinh": "province", "thanh pho truc thuoc trung uong": "province",
    "huyen": "district", "cap huyen": "district", "quan": "district",
    "xa": "commune", "cap xa": "commune", "phuong": "commune", "dac khu": "commune",
    "khac": "other",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+().\-/ ,;]+$")
_CODE = re.compile(r"^[0-9A-ZĐ][0-9A-ZĐ.\-]*$")


@dataclass(frozen=True)
class AgencyInput:
    name: str
    short_code: str | None = None
    level: str | None = None  # domain.enums.AgencyLevel code
    parent_id: UUID | None = None
    address: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class AgencyRow:
    id: UUID
    version: int
    name: str
    short_code: str | None
    level: str | None
    parent_id: UUID | None
    parent_name: str | None
    address: str | None
    email: str | None
    phone: str | None
    active: bool

    @property
    def level_label(self) -> str:
        return AgencyLevel(self.level).label if self.level in {lv.value for lv in AgencyLevel} else ""

    def to_input(self) -> AgencyInput:
        return AgencyInput(name=self.name, short_code=self.short_code, level=self.level,
                           parent_id=self.parent_id, address=self.address, email=self.email, phone=self.phone)


@dataclass
class ImportReport:
    rows: int = 0  # data rows read (blank rows not counted)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"Đã đọc {self.rows} dòng: thêm {self.added} cơ quan, cập nhật {self.updated}, "
                f"không đổi {self.unchanged}.")
        if self.ignored_columns:
            text += " Bỏ qua các cột: " + ", ".join(self.ignored_columns) + "."
        return text


def _invalid(title: str, errors: list[str]) -> ValidationError:
    """One problem reads best as the message itself; several are listed under the title."""
    if len(errors) == 1:
        return ValidationError(f"{title} {errors[0]}")
    return ValidationError(title, errors)


# --- validation ------------------------------------------------------------------------------


def parse_level(text: str | None) -> str | None:
    """A level code from a code or a Vietnamese label ("Cấp xã", "xã", "commune"); ValueError if unknown."""
    key = fold(text)
    if not key:
        return None
    if key in _LEVELS:
        return _LEVELS[key]
    allowed = ", ".join(level.label for level in AgencyLevel)
    raise ValueError(f"“{text}” không phải một cấp đã biết ({allowed})")


def _check_text(key: str, value: str | None) -> str | None:
    """One field's problem as a sentence, or None."""
    if value is None:
        return None
    limit = LIMITS.get(key)
    if limit and len(value) > limit:
        return f"quá dài ({len(value)} ký tự, tối đa {limit})"
    if key == "email" and not _EMAIL.match(value):
        return f"“{value}” không phải địa chỉ thư điện tử hợp lệ"
    if key == "phone" and (not _PHONE.match(value) or not any(c.isdigit() for c in value)):
        return f"“{value}” không phải số điện thoại hợp lệ"
    if key == "short_code" and not _CODE.match(value):
        return f"“{value}” chỉ được gồm chữ in hoa không dấu (trừ Đ), chữ số, dấu chấm và gạch nối (ví dụ BTCD, UBND)"
    return None


def _normalise(data: AgencyInput) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {
        "name": nfc(data.name) or "",
        "short_code": (nfc(data.short_code) or "").upper() or None,
        "address": nfc(data.address) or None,
        "email": (nfc(data.email) or "").lower() or None,
        "phone": nfc(data.phone) or None,
        "parent_id": data.parent_id,
    }
    errors = []
    if not values["name"]:
        errors.append(f"{LABEL['name']}: cần ghi tên cơ quan.")
    for key in ("name", "short_code", "address", "email", "phone"):
        problem = _check_text(key, values[key]) if values[key] else None
        if problem:
            errors.append(f"{LABEL[key]}: {problem}.")
    try:
        values["level"] = parse_level(data.level)
    except ValueError as exc:
        errors.append(f"{LABEL['level']}: {exc}.")
    values["name_key"] = fold(values["name"])
    return values, errors


def _check_name_free(conn: Connection, name_key: str, name: str, except_id: UUID | None) -> None:
    cond = _agency.c.name_key == name_key
    if except_id is not None:
        cond = and_(cond, _agency.c.id != except_id)
    other = conn.execute(select(_agency.c.name, _agency.c.active).where(cond).limit(1)).first()
    if other is not None:
        state = "" if other.active else " (đang ngừng sử dụng; có thể dùng lại)"
        raise ValidationError(f"Danh bạ đã có cơ quan “{other.name}”{state}; không thêm trùng tên “{name}”.")


def _check_parent(conn: Connection, agency_id: UUID | None, parent_id: UUID | None) -> None:
    if parent_id is None:
        return
    if parent_id == agency_id:
        raise ValidationError("Cơ quan cấp trên không thể là chính cơ quan này.")
    # Walk up from the chosen parent: meeting the agency itself would make a loop.
    current: UUID | None = parent_id
    for _ in range(100):
        row = conn.execute(select(_agency.c.parent_id).where(_agency.c.id == current)).first()
        if row is None:
            if current == parent_id:
                raise ValidationError("Cơ quan cấp trên đã chọn không còn trong danh bạ.")
            return
        if row.parent_id is None:
            return
        if row.parent_id == agency_id:
            raise ValidationError("Cơ quan cấp trên đã chọn lại là cơ quan cấp dưới của cơ quan này.")
        current = row.parent_id


# --- reading ---------------------------------------------------------------------------------


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_agencies(engine: Engine, text: str | None = None, include_inactive: bool = False) -> list[AgencyRow]:
    """Agencies whose name or ký hiệu contains every word of ``text`` (accent-insensitive), by name."""
    parent = _agency.alias("parent")
    query = (select(_agency, parent.c.name.label("parent_name"))
             .select_from(_agency.outerjoin(parent, parent.c.id == _agency.c.parent_id)))
    for word in fold(text).split():
        query = query.where(or_(_agency.c.name_key.like(_like(word), escape="\\"),
                                func.lower(_agency.c.short_code).like(_like(word), escape="\\")))
    if not include_inactive:
        query = query.where(_agency.c.active == True)  # noqa: E712
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(_agency.c.name_key, _agency.c.id)).mappings().all()
    return [_row(r) for r in rows]


def _row(r: Any) -> AgencyRow:
    return AgencyRow(id=r["id"], version=r["version"], name=r["name"], short_code=r["short_code"],
                     level=r["level"], parent_id=r["parent_id"], parent_name=r.get("parent_name"),
                     address=r["address"], email=r["email"], phone=r["phone"], active=bool(r["active"]))


def get_agency(engine: Engine, agency_id: UUID) -> AgencyRow:
    parent = _agency.alias("parent")
    with engine.connect() as conn:
        row = conn.execute(select(_agency, parent.c.name.label("parent_name"))
                           .select_from(_agency.outerjoin(parent, parent.c.id == _agency.c.parent_id))
                           .where(_agency.c.id == agency_id)).mappings().first()
    if row is None:
        raise NotFoundError("Không tìm thấy cơ quan (có thể đã bị xóa ở máy khác).")
    return _row(row)


# --- writing ---------------------------------------------------------------------------------


def create_agency(engine: Engine, data: AgencyInput) -> AgencyRow:
    values, errors = _normalise(data)
    if errors:
        raise _invalid("Chưa lưu được cơ quan:", errors)
    agency_id = new_id()
    now = utcnow()
    with engine.begin() as conn:
        _check_name_free(conn, values["name_key"], values["name"], None)
        _check_parent(conn, agency_id, values["parent_id"])
        conn.execute(_agency.insert(), [{**values, "id": agency_id, "created_at": now, "updated_at": now,
                                         "version": 1, "active": True}])
    return get_agency(engine, agency_id)


def _conflict(current: dict[str, Any] | None, values: dict[str, Any], seen_version: int) -> Exception:
    if current is None:
        return NotFoundError("Cơ quan này đã bị xóa ở một máy khác; không còn gì để sửa.")
    changed = []
    for key in ("name", "short_code", "level", "address", "email", "phone", "active"):
        if key in values and current.get(key) != values[key]:
            theirs = current.get(key)
            if key == "active":
                changed.append("Trạng thái: " + ("đang dùng" if theirs else "ngừng sử dụng"))
            else:
                changed.append(f"{LABEL[key]}: “{theirs or 'trống'}” (bạn đang lưu “{values[key] or 'trống'}”)")
    if "parent_id" in values and current.get("parent_id") != values["parent_id"]:
        changed.append(f"{LABEL['parent']} đã được đổi")
    detail = "; ".join(changed) if changed else "không khác nội dung bạn đang lưu"
    return ConflictError(
        f"Cơ quan “{current['name']}” vừa được sửa ở máy khác (phiên bản {current['version']}, bạn đang "
        f"sửa phiên bản {seen_version}); chưa lưu thay đổi của bạn. Hiện tại: {detail}. "
        "Hãy mở lại để xem bản mới nhất.")


def update_agency(engine: Engine, agency_id: UUID, seen_version: int, data: AgencyInput) -> AgencyRow:
    values, errors = _normalise(data)
    if errors:
        raise _invalid("Chưa lưu được cơ quan:", errors)
    with engine.begin() as conn:
        _check_name_free(conn, values["name_key"], values["name"], agency_id)
        _check_parent(conn, agency_id, values["parent_id"])
        try:
            update_versioned(conn, _agency, agency_id, seen_version, values)
        except StaleVersion as stale:
            raise _conflict(stale.current, values, seen_version) from None
    return get_agency(engine, agency_id)


def set_active(engine: Engine, agency_id: UUID, seen_version: int, active: bool) -> AgencyRow:
    """Deactivate (or bring back) an agency; its transfers and sessions keep pointing at it."""
    with engine.begin() as conn:
        try:
            update_versioned(conn, _agency, agency_id, seen_version, {"active": bool(active)})
        except StaleVersion as stale:
            raise _conflict(stale.current, {"active": bool(active)}, seen_version) from None
    return get_agency(engine, agency_id)


def references(conn: Connection, agency_id: UUID) -> dict[str, int]:
    """How many records point at the agency, by what they are (Vietnamese names)."""
    counts = {
        "chuyển đơn": select(func.count()).select_from(_transfer).where(_transfer.c.agency_id == agency_id),
        "đơn do cơ quan chuyển đến": select(func.count()).select_from(_petition)
        .where(_petition.c.source_agency_id == agency_id),
        "buổi tiếp có cơ quan tham dự": select(func.count()).select_from(_session_agency)
        .where(_session_agency.c.agency_id == agency_id),
        "cơ quan cấp dưới": select(func.count()).select_from(_agency).where(_agency.c.parent_id == agency_id),
        "văn bản đã phát hành": select(func.count()).select_from(_issued).where(_issued.c.agency_id == agency_id),
    }
    return {name: int(conn.execute(query).scalar() or 0) for name, query in counts.items()}


def delete_agency(engine: Engine, agency_id: UUID, seen_version: int) -> None:
    """Delete an agency nothing refers to (a typo); otherwise it can only be deactivated."""
    with engine.begin() as conn:
        row = conn.execute(select(_agency.c.name, _agency.c.version).where(_agency.c.id == agency_id)).first()
        if row is None:
            raise NotFoundError("Cơ quan này đã bị xóa (có thể ở một máy khác).")
        if row.version != seen_version:
            raise ConflictError(f"Cơ quan “{row.name}” vừa được sửa ở máy khác; hãy mở lại trước khi xóa.")
        used = {name: n for name, n in references(conn, agency_id).items() if n}
        if used:
            what = ", ".join(f"{n} {name}" for name, n in used.items())
            raise ValidationError(f"Không xóa được “{row.name}”: đã có {what} gắn với cơ quan này. "
                                  "Hãy chọn “Ngừng sử dụng” để ẩn cơ quan khỏi danh sách chọn.")
        conn.execute(_agency.delete().where(_agency.c.id == agency_id, _agency.c.version == seen_version))


# --- import ----------------------------------------------------------------------------------


@dataclass
class _FileRow:
    line: int
    cells: dict[str, str]  # field → stripped text


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole numbers without ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _read_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"Tệp {path.name} không phải văn bản UTF-8. Trong Excel hãy chọn Lưu thành “CSV UTF-8 "
            "(Comma delimited)”, hoặc lưu thành tệp .xlsx rồi nhập lại.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        raise ValidationError(f"dòng {reader.line_num}: không đọc được tệp CSV ({exc}).") from None


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only an XLSX import needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ValidationError(f"Không đọc được tệp Excel {path.name}: tệp hỏng hoặc không phải định dạng "
                              f".xlsx ({exc.__class__.__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    if suffix in {".csv", ".txt"}:
        return _read_csv(path)
    raise ValidationError(f"Chỉ nhập được tệp CSV (.csv) hoặc Excel (.xlsx); tệp “{path.name}” không phải.")


def _header(cells: list[str]) -> tuple[dict[int, str], dict[str, str], list[str]]:
    """Column index → field, field → the title as written, ignored titles; ValidationError if unusable."""
    columns: dict[int, str] = {}
    titles: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[str] = []
    for index, raw in enumerate(cells):
        title = nfc(raw) or ""
        key = re.sub(r"[^a-z0-9@_\- ]", " ", fold(title)).strip()
        key = re.sub(r"\s+", " ", key)
        if not title:
            continue
        target = _HEADERS.get(key)
        if target is None:
            ignored.append(title)
        elif target in titles:
            errors.append(f"dòng 1: {title}: trùng với cột “{titles[target]}”")
        else:
            columns[index] = target
            titles[target] = title
    if "name" not in titles:
        errors.append("dòng 1: thiếu cột “Tên cơ quan” (hoặc “name”) ở dòng tiêu đề")
    if errors:
        raise _invalid("Không nhập được danh bạ:", errors)
    return columns, titles, ignored


def import_agencies(engine: Engine, path: str | Path, *, progress: Progress | None = None,
                    cancel: CancelCheck | None = None) -> ImportReport:
    """Import a CSV/XLSX directory: add new agencies, update those already listed (by folded name).

    Empty cells leave an existing agency's value as it is. The parent (Cơ quan cấp trên) is an
    agency's name or ký hiệu, from the same file or already in the directory.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"Không tìm thấy tệp “{path}”.")
    report = ImportReport()
    header: tuple[dict[int, str], dict[str, str], list[str]] | None = None
    rows: list[_FileRow] = []
    for line, cells in _records(path):
        if cancel is not None and cancel():
            raise Cancelled()
        if not any((c or "").strip() for c in cells):
            continue
        if header is None:
            header = _header(cells)
            continue
        columns = header[0]
        rows.append(_FileRow(line, {f: (nfc(cells[i]) or "") for i, f in columns.items() if i < len(cells)}))
    if header is None:
        raise ValidationError(f"Tệp “{path.name}” trống: cần dòng tiêu đề và ít nhất một dòng cơ quan.")
    titles, report.ignored_columns = header[1], header[2]
    report.rows = len(rows)
    if progress is not None:
        progress(0, len(rows))
    with engine.begin() as conn:
        plan = _plan(conn, rows, titles)
        if cancel is not None and cancel():
            raise Cancelled()
        _apply(conn, plan, report, progress, cancel)
    return report


@dataclass
class _Planned:
    line: int
    id: UUID
    values: dict[str, Any]  # only the fields the file gives (non-empty cells)
    existing: dict[str, Any] | None
    parent_ref: str | None


def _plan(conn: Connection, rows: list[_FileRow], titles: dict[str, str]) -> list[_Planned]:
    """Validate every row against the file and the directory; ValidationError lists all problems."""
    errors: list[str] = []
    existing = {r["name_key"]: dict(r) for r in conn.execute(select(_agency)).mappings()}
    by_code: dict[str, list[UUID]] = {}
    for r in existing.values():
        if r["short_code"]:
            by_code.setdefault(fold(r["short_code"]), []).append(r["id"])
    planned: list[_Planned] = []
    first_line: dict[str, int] = {}

    def err(line: int, key: str, message: str) -> None:
        errors.append(f"dòng {line}: {titles.get(key, LABEL[key])}: {message}")

    for row in rows:
        cells = row.cells
        name = cells.get("name", "")
        if not name:
            err(row.line, "name", "thiếu tên cơ quan")
            continue
        key = fold(name)
        if key in first_line:
            err(row.line, "name", f"trùng với dòng {first_line[key]} (“{name}”)")
            continue
        first_line[key] = row.line
        values: dict[str, Any] = {"name": name, "name_key": key}
        for f in ("short_code", "address", "email", "phone"):
            text = cells.get(f, "")
            if not text:
                continue
            text = text.upper() if f == "short_code" else text.lower() if f == "email" else text
            problem = _check_text(f, text)
            if problem:
                err(row.line, f, problem)
            values[f] = text
        problem = _check_text("name", name)
        if problem:
            err(row.line, "name", problem)
        if cells.get("level"):
            try:
                values["level"] = parse_level(cells["level"])
            except ValueError as exc:
                err(row.line, "level", str(exc))
        current = existing.get(key)
        planned.append(_Planned(row.line, current["id"] if current else new_id(), values, current,
                                cells.get("parent") or None))
    # Parents: an agency of the file (by name or ký hiệu), else one of the directory.
    in_file = {p.values["name_key"]: p.id for p in planned}
    file_codes: dict[str, list[UUID]] = {}
    for p in planned:
        if p.values.get("short_code"):
            file_codes.setdefault(fold(p.values["short_code"]), []).append(p.id)
    parents: dict[UUID, UUID | None] = {r["id"]: r["parent_id"] for r in existing.values()}
    for p in planned:
        if p.parent_ref is None:
            continue
        ref = fold(p.parent_ref)
        target = in_file.get(ref) or (existing[ref]["id"] if ref in existing else None)
        if target is None:
            codes = set(file_codes.get(ref, [])) | set(by_code.get(ref, []))
            if len(codes) > 1:
                err(p.line, "parent", f"ký hiệu “{p.parent_ref}” dùng chung cho nhiều cơ quan; hãy ghi tên đầy đủ")
                continue
            target = next(iter(codes), None)
        if target is None:
            err(p.line, "parent", f"không tìm thấy cơ quan “{p.parent_ref}” trong tệp hay trong danh bạ")
        elif target == p.id:
            err(p.line, "parent", "không thể là chính cơ quan này")
        else:
            p.values["parent_id"] = target
            parents[p.id] = target
    for p in planned:  # a loop through parents would never end when walked up
        seen = {p.id}
        current = parents.get(p.id)
        while current is not None:
            if current in seen:
                err(p.line, "parent", "tạo thành vòng lặp cấp trên – cấp dưới")
                break
            seen.add(current)
            current = parents.get(current)
    if errors:
        raise ValidationError(f"Không nhập được danh bạ: có {len(errors)} lỗi; chưa có gì được ghi.", errors)
    return planned


def _apply(conn: Connection, plan: list[_Planned], report: ImportReport, progress: Progress | None,
           cancel: CancelCheck | None) -> None:
    now = utcnow()
    new_rows = []
    changes = []
    for p in plan:
        if p.existing is None:
            new_rows.append({"id": p.id, "created_at": now, "updated_at": now, "version": 1, "active": True,
                             "name": p.values["name"], "name_key": p.values["name_key"],
                             **{f: p.values.get(f) for f in ("short_code", "level", "address", "email", "phone")},
                             "parent_id": None})
            continue
        # The stored name stays (the file matched it by its folded form, e.g. written in capitals).
        diff = {k: v for k, v in p.values.items()
                if k not in {"name", "name_key", "parent_id"} and p.existing.get(k) != v}
        if diff or ("parent_id" in p.values and p.existing["parent_id"] != p.values["parent_id"]):
            changes.append(p)
        else:
            report.unchanged += 1
    # New rows first without parents, then every parent link: a parent may come later in the file.
    if new_rows:
        conn.execute(_agency.insert(), new_rows)
    report.added = len(new_rows)
    done = len(new_rows) + report.unchanged
    if progress is not None:
        progress(done, len(plan))
    for p in changes:
        if cancel is not None and cancel():
            raise Cancelled()
        values = {k: v for k, v in p.values.items() if k not in {"name", "name_key", "parent_id"}}
        # One statement per changed agency (a directory changes by tens of rows): each keeps its
        # own version check, so an agency edited meanwhile on another desk is not overwritten.
        try:
            update_versioned(conn, _agency, p.id, p.existing["version"], values)  # type: ignore[index]
        except StaleVersion:
            raise ConflictError(f"dòng {p.line}: cơ quan “{p.values['name']}” vừa được sửa ở máy khác trong lúc "
                                "nhập; chưa có gì được ghi, hãy nhập lại tệp.") from None
        report.updated += 1
    links = [{"b_id": p.id, "b_parent": p.values["parent_id"]} for p in plan if "parent_id" in p.values]
    if links:
        conn.execute(update(_agency).where(_agency.c.id == bindparam("b_id"))
                     .values(parent_id=bindparam("b_parent")), links)
    if progress is not None:
        progress(len(plan), len(plan))


def level_choices() -> list[tuple[str, str]]:
    """(code, Vietnamese label) of every level, for a combo box."""
    return [(level.value, level.label) for level in AgencyLevel]

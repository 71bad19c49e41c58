"""The wording of the letters: editable templates, shipped in ``resources/templates/<name>.toml``.

An office may change the wording without touching code: its version of a template is stored in
the ``setting`` table under ``template.<name>`` (so every desk on one PostgreSQL prints the same
text) and wins over the shipped file; ``reset_template`` goes back to the shipped one.

A template is TOML: ``series`` (PC, TB, …), ``symbol_pattern`` (``{number}/{series}-{office}``),
``title``, ``subject``, ``salutation``/``paragraphs``/``recipients`` (lists), ``archive``, and an
optional ``security_mark``. Texts use ``${name}`` placeholders (string.Template) with the names of
``placeholders(name)``; a template may only use the names its letter provides, which is also what
keeps a denouncer's name out of a denunciation's forwarding letter: ``forwarding_denunciation``
has no ``${nguoi_gui}`` to use (domain notes §5).

Rendering rules (told to office staff in resources/templates/README.md):
- a line whose placeholders are all empty is left out (e.g. "Gửi kèm: ${gui_kem}." with nothing
  attached); a line without placeholders is always printed;
- a paragraph that is exactly one list placeholder (``${danh_sach_giay_to}``) becomes one paragraph
  per item;
- lines after "Kính gửi:", paragraphs and "Nơi nhận:" lines start with a capital letter.
"""

from __future__ import annotations

import getpass
import json
import re
import string
import tomllib
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select

from reception_desk.domain.letters import LetterKind, symbol_text
from reception_desk.paths import resources_dir
from reception_desk.services.errors import NotFoundError, ValidationError
from reception_desk.storage.models import AuditEvent, Setting, utcnow

_setting: Table = Setting.__table__  # type: ignore[assignment]
_audit: Table = AuditEvent.__table__  # type: ignore[assignment]

SETTING_PREFIX = "template."
MAX_TEMPLATE_CHARS = 20_000
MAX_SYMBOL = 60  # issued_document.symbol

# --- the templates and their placeholders ----------------------------------------------------------

TEMPLATE_KINDS: dict[str, LetterKind] = {
    "forwarding": LetterKind.FORWARDING,
    "forwarding_denunciation": LetterKind.FORWARDING,
    "notice": LetterKind.NOTICE,
    "notice_denunciation": LetterKind.NOTICE,
    "guidance": LetterKind.GUIDANCE,
    "return": LetterKind.RETURN,
    "chase": LetterKind.CHASE,
    "receipt": LetterKind.RECEIPT,
}
TEMPLATE_NAMES: tuple[str, ...] = tuple(TEMPLATE_KINDS)

TEMPLATE_LABELS: dict[str, str] = {
    "forwarding": "Phiếu chuyển đơn (khiếu nại, kiến nghị, phản ánh)",
    "forwarding_denunciation": "Phiếu chuyển đơn tố cáo",
    "notice": "Thông báo việc chuyển đơn (gửi người đứng đơn)",
    "notice_denunciation": "Thông báo việc chuyển đơn tố cáo (chỉ gửi người tố cáo)",
    "guidance": "Phiếu hướng dẫn",
    "return": "Văn bản trả lại đơn và giấy tờ, tài liệu",
    "chase": "Văn bản đôn đốc giải quyết đơn",
    "receipt": "Giấy biên nhận",
}

# Every placeholder, with what it prints (shown to office staff by the settings dialog).
PLACEHOLDER_HELP: dict[str, str] = {
    # the office (Cài đặt → Cơ quan)
    "ten_co_quan": "Tên cơ quan viết trong câu văn (ví dụ: Ban Tiếp công dân tỉnh Hà Tĩnh)",
    "ten_co_quan_in_hoa": "Tên cơ quan in hoa như trên tiêu đề (BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH)",
    "co_quan_chu_quan": "Cơ quan chủ quản (cấp trên), in hoa",
    "ky_hieu_co_quan": "Ký hiệu cơ quan (BTCD)",
    "dia_danh": "Địa danh (Hà Tĩnh)",
    "dia_chi_co_quan": "Địa chỉ cơ quan",
    "dien_thoai_co_quan": "Điện thoại cơ quan",
    # this letter
    "so_ky_hieu": "Số, ký hiệu của chính văn bản này (07/PC-BTCD)",
    "ngay_van_ban": "Ngày ban hành văn bản này (05/01/2026)",
    # the petition
    "ngay_don": "Ngày ghi trên đơn (ngày nhận nếu đơn không ghi ngày), dạng 20/12/2025",
    "ngay_nhan_don": "Ngày cơ quan nhận đơn",
    "loai_don": "Loại đơn viết thường (khiếu nại, tố cáo, kiến nghị, phản ánh)",
    "tom_tat": "Tóm tắt nội dung đơn (đơn tố cáo: đã lược bỏ thông tin người tố cáo)",
    "can_cu_luat": "Luật theo loại đơn (Luật Khiếu nại năm 2011, Luật Tố cáo năm 2018, …)",
    # the petitioner (never offered to letters about a denunciation that go to anybody else)
    "nguoi_gui": "Người đứng đơn: “ông Nguyễn Văn A”, “bà …”, “ông (bà) …”; nhiều người: liệt kê",
    "dia_chi_nguoi_gui": "Địa chỉ người đứng đơn",
    "thong_tin_nguoi_gui": "Người đứng đơn kèm địa chỉ: “ông Nguyễn Văn A, địa chỉ: …”",
    # the transfer
    "co_quan_nhan": "Cơ quan nhận đơn chuyển (Kính gửi)",
    "ngay_chuyen": "Ngày chuyển đơn",
    "so_phieu_chuyen": "Số, ký hiệu phiếu chuyển đơn (07/PC-BTCD)",
    "phieu_chuyen": "“Phiếu chuyển đơn số 07/PC-BTCD ngày 05/01/2026” (hoặc “văn bản ngày …” khi chưa có số)",
    "han_tra_loi": "Hạn cơ quan nhận đơn trả lời",
    "so_ngay_qua_han": "Số ngày đã quá hạn trả lời (trống khi chưa quá hạn)",
    "thoi_han_tra_loi": "Hạn trả lời kèm tình trạng: “ngày 10/02/2025 (đã quá hạn 12 ngày)”",
    "gui_kem": "Tài liệu gửi kèm (mặc định: đơn và tài liệu kèm theo)",
    # guidance, return, receipt
    "co_quan_co_tham_quyen": "Cơ quan có thẩm quyền giải quyết (phiếu hướng dẫn)",
    "noi_dung_huong_dan": "Nội dung hướng dẫn thêm do cán bộ ghi",
    "nguoi_nhan": "Người hoặc cơ quan nhận văn bản (trả lại đơn)",
    "ly_do": "Lý do trả lại đơn",
    "danh_sach_giay_to": "Danh sách giấy tờ, tài liệu (mỗi mục một dòng khi đứng riêng một đoạn)",
    "so_luong_giay_to": "Số giấy tờ, tài liệu trong danh sách",
}

_OFFICE = ("ten_co_quan", "ten_co_quan_in_hoa", "co_quan_chu_quan", "ky_hieu_co_quan", "dia_danh",
           "dia_chi_co_quan", "dien_thoai_co_quan", "so_ky_hieu", "ngay_van_ban")
_PETITION = ("ngay_don", "ngay_nhan_don", "loai_don", "tom_tat", "can_cu_luat")
_PETITIONER = ("nguoi_gui", "dia_chi_nguoi_gui", "thong_tin_nguoi_gui")
_TRANSFER = ("co_quan_nhan", "ngay_chuyen", "so_phieu_chuyen", "phieu_chuyen", "han_tra_loi")

_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "forwarding": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, *_TRANSFER, "gui_kem")),
    # no petitioner: the denouncer's identity has no way into this letter
    "forwarding_denunciation": frozenset((*_OFFICE, *_PETITION, *_TRANSFER, "gui_kem")),
    "notice": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, *_TRANSFER)),
    "notice_denunciation": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, *_TRANSFER)),
    "guidance": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, "co_quan_co_tham_quyen", "noi_dung_huong_dan")),
    "return": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, "nguoi_nhan", "ly_do", "danh_sach_giay_to",
                         "so_luong_giay_to")),
    # a chase about a denunciation prints the petitioner masked (services.letters)
    "chase": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, *_TRANSFER, "so_ngay_qua_han", "thoi_han_tra_loi")),
    "receipt": frozenset((*_OFFICE, *_PETITION, *_PETITIONER, "danh_sach_giay_to", "so_luong_giay_to")),
}
LIST_PLACEHOLDERS = frozenset({"danh_sach_giay_to"})

REQUIRED_KEYS = ("series", "symbol_pattern", "title", "subject", "salutation", "paragraphs", "recipients",
                 "archive")
OPTIONAL_KEYS = ("security_mark", "security_mark_confidential", "description")
_TEXT_KEYS = ("title", "subject", "archive", "security_mark", "security_mark_confidential")
_LIST_KEYS = ("salutation", "paragraphs", "recipients")
_SERIES = re.compile(r"^[0-9A-ZĐ]{1,20}$")
_PATTERN_FIELDS = {"number", "series", "office"}


def placeholders(name: str) -> dict[str, str]:
    """The placeholders template ``name`` may use, with what each prints (for the settings dialog)."""
    allowed = _PLACEHOLDERS[_check_name(name)]
    return {key: text for key, text in PLACEHOLDER_HELP.items() if key in allowed}


# --- a template ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    name: str
    kind: LetterKind
    label: str
    series: str
    symbol_pattern: str
    title: str | None  # None: a công văn (no type name; the subject goes under the number)
    subject: str | None
    salutation: tuple[str, ...]
    paragraphs: tuple[str, ...]
    recipients: tuple[str, ...]
    archive: str
    security_mark: str | None  # printed on every letter of this template ("MẬT")
    security_mark_confidential: str | None  # printed when the petition is confidential
    text: str  # the TOML as stored (the editor shows it)
    overridden: bool  # the office's own version (setting table), not the shipped file


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """One row of the settings tab's list of templates."""

    name: str
    label: str
    kind: LetterKind
    series: str
    overridden: bool
    updated_at: datetime | None  # when the office's version was saved


@dataclass(frozen=True, slots=True)
class RenderedText:
    title: str | None
    subject: str | None
    salutation: tuple[str, ...]
    paragraphs: tuple[str, ...]
    recipients: tuple[str, ...]
    archive: str
    security_mark: str | None


def _check_name(name: str) -> str:
    if name not in TEMPLATE_KINDS:
        raise NotFoundError(f"Không có mẫu văn bản “{name}” (các mẫu: {', '.join(TEMPLATE_NAMES)}).")
    return name


def shipped_template_text(name: str) -> str:
    """The template as shipped with the program (resources/templates/<name>.toml)."""
    path = resources_dir() / "templates" / f"{_check_name(name)}.toml"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NotFoundError(f"Thiếu tệp mẫu văn bản {path} ({exc.strerror}); hãy cài lại chương trình.") from None


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _at(text: str, needle: str) -> str:
    line = _line_of(text, needle)
    return f"dòng {line}: " if line else ""


def parse_template(name: str, text: str, *, overridden: bool = False) -> LetterTemplate:
    """Check a template's text and read it; ValidationError lists every problem (with its line)."""
    name = _check_name(name)
    label = TEMPLATE_LABELS[name]
    title = f"Mẫu “{label}” chưa dùng được:"
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    if len(text) > MAX_TEMPLATE_CHARS:
        raise ValidationError(f"{title} quá dài ({len(text)} ký tự, tối đa {MAX_TEMPLATE_CHARS}).")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f" ở dòng {where.group(1)}, cột {where.group(2)}" if where else ""
        raise ValidationError(f"{title} sai cú pháp TOML{at} ({exc}). Mỗi dòng có dạng khóa = \"văn bản\"; "
                              "danh sách đặt trong [ … ], các mục cách nhau bởi dấu phẩy.") from None
    errors: list[str] = []
    for key in REQUIRED_KEYS:
        if key not in data:
            errors.append(f"thiếu khóa “{key}”.")
    for key in data:
        if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
            errors.append(f"{_at(text, key)}khóa “{key}” không dùng trong mẫu văn bản "
                          f"(các khóa: {', '.join((*REQUIRED_KEYS, *OPTIONAL_KEYS))}).")
    for key in (*_TEXT_KEYS, "series", "symbol_pattern", "description"):
        if key in data and not isinstance(data[key], str):
            errors.append(f"{_at(text, key)}“{key}” phải là một chuỗi trong dấu ngoặc kép.")
    for key in _LIST_KEYS:
        if key in data and (not isinstance(data[key], list) or not all(isinstance(v, str) for v in data[key])):
            errors.append(f"{_at(text, key)}“{key}” phải là danh sách các chuỗi: [\"…\", \"…\"].")
    if errors:
        raise ValidationError(f"{title} {errors[0]}" if len(errors) == 1 else title, errors)

    series = data["series"].strip()
    if not _SERIES.match(series):
        errors.append(f"{_at(text, 'series')}ký hiệu loại văn bản “{series}” chỉ gồm chữ in hoa không dấu "
                      "(trừ Đ) và chữ số, tối đa 20 ký tự (ví dụ PC, TB, HD, CV).")
    pattern = data["symbol_pattern"].strip()
    errors.extend(_pattern_problems(text, pattern, series))
    if not [p for p in data["paragraphs"] if p.strip()]:
        errors.append(f"{_at(text, 'paragraphs')}cần ít nhất một đoạn nội dung (paragraphs).")
    allowed = _PLACEHOLDERS[name]
    for key in (*_TEXT_KEYS, *_LIST_KEYS):
        values = data.get(key)
        for value in values if isinstance(values, list) else [values] if values else []:
            errors.extend(_placeholder_problems(name, text, value, allowed))
    if errors:
        raise ValidationError(f"{title} {errors[0]}" if len(errors) == 1 else title, list(dict.fromkeys(errors)))

    def opt(key: str) -> str | None:
        return (data.get(key) or "").strip() or None

    return LetterTemplate(
        name=name, kind=TEMPLATE_KINDS[name], label=label, series=series, symbol_pattern=pattern,
        title=opt("title"), subject=opt("subject"),
        salutation=tuple(s.strip() for s in data["salutation"] if s.strip()),
        paragraphs=tuple(p.strip() for p in data["paragraphs"] if p.strip()),
        recipients=tuple(r.strip() for r in data["recipients"] if r.strip()),
        archive=data["archive"].strip(), security_mark=opt("security_mark"),
        security_mark_confidential=opt("security_mark_confidential"), text=text, overridden=overridden,
    )


def _pattern_problems(text: str, pattern: str, series: str) -> list[str]:
    at = _at(text, "symbol_pattern")
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError:
        return [f"{at}mẫu số, ký hiệu “{pattern}” có dấu ngoặc nhọn không khớp."]
    unknown = fields - _PATTERN_FIELDS
    if unknown:
        return [f"{at}mẫu số, ký hiệu chỉ dùng {{number}}, {{series}}, {{office}}; không có "
                + ", ".join(f"{{{f}}}" for f in sorted(unknown)) + "."]
    if "number" not in fields or "office" not in fields:
        return [f"{at}mẫu số, ký hiệu phải có {{number}} (số) và {{office}} (ký hiệu cơ quan), "
                "ví dụ {number}/{series}-{office} hoặc {number}/{office}."]
    sample = symbol_text(pattern, 99999, series, "X" * 20)
    if len(sample) > MAX_SYMBOL:
        return [f"{at}số, ký hiệu quá dài ({len(sample)} ký tự với số lớn nhất, tối đa {MAX_SYMBOL})."]
    return []


def _placeholder_problems(name: str, text: str, value: str, allowed: frozenset[str]) -> list[str]:
    problems = []
    for match in string.Template.pattern.finditer(value):
        found = match.group("named") or match.group("braced")
        token = match.group(0)
        if match.group("invalid") is not None:
            snippet = value[match.start():match.start() + 15]
            problems.append(f"{_at(text, snippet)}dấu $ dùng không đúng ở “{snippet}”: viết ${{tên_trường}} "
                            "cho một trường, hoặc $$ để in dấu $.")
        elif found is not None and found not in allowed:
            at = _at(text, token)
            if name == "forwarding_denunciation" and found in _PETITIONER:
                problems.append(f"{at}không được dùng {token} trong phiếu chuyển đơn tố cáo: thông tin người "
                                "tố cáo phải được giữ bí mật (Luật Tố cáo, Điều 8 và 56).")
            else:
                problems.append(f"{at}trường {token} không có trong mẫu này. Các trường dùng được: "
                                + ", ".join(f"${{{k}}}" for k in sorted(allowed)) + ".")
    return problems


# --- loading and saving ------------------------------------------------------------------------


def _override_rows(conn: Connection, names: Sequence[str]) -> dict[str, Any]:
    rows = conn.execute(select(_setting.c.key, _setting.c.value, _setting.c.updated_at)
                        .where(_setting.c.key.in_([SETTING_PREFIX + n for n in names]))).all()
    return {r.key.removeprefix(SETTING_PREFIX): r for r in rows if r.value}


def load_template(db: Engine | Connection, name: str) -> LetterTemplate:
    """The template the office prints with: its own version if saved, otherwise the shipped file."""
    name = _check_name(name)
    if isinstance(db, Engine):
        with db.connect() as conn:
            row = _override_rows(conn, [name]).get(name)
    else:
        row = _override_rows(db, [name]).get(name)
    if row is not None:
        try:
            return parse_template(name, row.value, overridden=True)
        except ValidationError as exc:  # saved by a newer or older program with other placeholders
            details = "; ".join(exc.errors) or str(exc)
            raise ValidationError(f"Mẫu “{TEMPLATE_LABELS[name]}” do cơ quan sửa không còn dùng được ({details}). "
                                  "Hãy sửa lại trong Cài đặt → Mẫu văn bản, hoặc khôi phục mẫu gốc.",
                                  exc.errors) from None
    return parse_template(name, shipped_template_text(name))


def list_templates(engine: Engine) -> list[TemplateInfo]:
    """Every template, in the order of TEMPLATE_NAMES, saying which ones the office changed."""
    with engine.connect() as conn:
        rows = _override_rows(conn, TEMPLATE_NAMES)
    infos = []
    for name in TEMPLATE_NAMES:
        row = rows.get(name)
        series = ""
        try:
            series = load_series(row.value if row is not None else shipped_template_text(name))
        except ValidationError:
            series = ""
        infos.append(TemplateInfo(name, TEMPLATE_LABELS[name], TEMPLATE_KINDS[name], series, row is not None,
                                  row.updated_at if row is not None else None))
    return infos


def load_series(text: str) -> str:
    try:
        return str(tomllib.loads(text).get("series", "")).strip()
    except tomllib.TOMLDecodeError:
        raise ValidationError("Mẫu văn bản sai cú pháp TOML.") from None


def template_text(engine: Engine, name: str) -> str:
    """The text the editor opens: the office's version, or the shipped file."""
    return load_template(engine, name).text


def save_template_override(engine: Engine, name: str, text: str, *, actor: str | None = None) -> LetterTemplate:
    """Check and save the office's version of a template (NFC); nothing is saved when it is refused."""
    template = parse_template(name, text, overridden=True)
    key = SETTING_PREFIX + template.name
    now = utcnow()
    with engine.begin() as conn:
        before = conn.execute(select(_setting.c.value).where(_setting.c.key == key)).scalar()
        if before == template.text:
            return template
        conn.execute(delete(_setting).where(_setting.c.key == key))
        conn.execute(insert(_setting), [{"key": key, "value": template.text, "updated_at": now}])
        _audit_row(conn, "settings.template", template.name,
                   {"series": template.series, "had_override": before is not None}, actor)
    return template


def reset_template(engine: Engine, name: str, *, actor: str | None = None) -> LetterTemplate:
    """Forget the office's version: the shipped template is printed again."""
    name = _check_name(name)
    shipped = parse_template(name, shipped_template_text(name))
    with engine.begin() as conn:
        removed = conn.execute(delete(_setting).where(_setting.c.key == SETTING_PREFIX + name)).rowcount
        if removed:
            _audit_row(conn, "settings.template_reset", name, {}, actor)
    return shipped


def _audit_row(conn: Connection, action: str, name: str, detail: dict[str, Any], actor: str | None) -> None:
    if actor is None:
        try:
            actor = getpass.getuser()
        except (KeyError, OSError):
            actor = None
    conn.execute(insert(_audit), [{"id": uuid.uuid4(), "at": utcnow(), "actor": actor, "action": action,
                                   "entity": "setting", "entity_id": SETTING_PREFIX + name,
                                   "detail": json.dumps(detail, ensure_ascii=False)}])


# --- rendering ---------------------------------------------------------------------------------


Value = str | Sequence[str]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _fill(line: str, values: Mapping[str, Value]) -> str | None:
    """One line with its placeholders filled; None when every placeholder in it is empty."""
    names = [m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(line)
             if m.group("named") or m.group("braced")]
    flat = {k: "; ".join(v) if not isinstance(v, str) else v for k, v in values.items()}
    if names and not any(flat.get(n) for n in names):
        return None
    filled = string.Template(line).substitute({n: flat.get(n, "") for n in names})
    return unicodedata.normalize("NFC", re.sub(r"[ \t]+", " ", filled).strip())


def _lines(lines: Sequence[str], values: Mapping[str, Value], *, expand_lists: bool = False) -> tuple[str, ...]:
    out: list[str] = []
    for line in lines:
        whole = re.fullmatch(r"\$\{?([_a-z][_a-z0-9]*)\}?", line.strip(), re.IGNORECASE)
        value = values.get(whole.group(1)) if whole else None
        if expand_lists and value is not None and not isinstance(value, str):
            out.extend(_capital(unicodedata.normalize("NFC", item.strip())) for item in value if item.strip())
            continue
        filled = _fill(line, values)
        if filled:
            out.append(_capital(filled))
    return tuple(out)


def render(template: LetterTemplate, values: Mapping[str, Value], *, confidential: bool = False) -> RenderedText:
    """The template's texts with ``values`` filled in (module docstring: rules)."""
    def one(text: str | None) -> str | None:
        return (_fill(text, values) or None) if text else None

    mark = template.security_mark or (template.security_mark_confidential if confidential else None)
    return RenderedText(
        title=one(template.title), subject=one(template.subject),
        salutation=_lines(template.salutation, values),
        paragraphs=_lines(template.paragraphs, values, expand_lists=True),
        recipients=_lines(template.recipients, values),
        archive=one(template.archive) or "VT",
        security_mark=mark,
    )


# --- the office's name inside sentences (${ten_co_quan}) -------------------------------------------

OFFICE_IN_TEXT_KEY = "letters.office_in_text"  # not under "template.": not a template
MAX_OFFICE_IN_TEXT = 200


def saved_office_in_text(db: Engine | Connection) -> str | None:
    """The office's own wording of its name inside sentences, if it saved one."""
    query = select(_setting.c.value).where(_setting.c.key == OFFICE_IN_TEXT_KEY)
    if isinstance(db, Engine):
        with db.connect() as conn:
            value = conn.execute(query).scalar()
    else:
        value = db.execute(query).scalar()
    return value or None


def save_office_in_text(engine: Engine, text: str | None, *, actor: str | None = None) -> str | None:
    """Save how ${ten_co_quan} reads ("Ban Tiếp công dân tỉnh Hà Tĩnh"); empty: derived from the
    letterhead name again (domain.letters.office_name_in_text)."""
    value = unicodedata.normalize("NFC", " ".join((text or "").split()))
    if len(value) > MAX_OFFICE_IN_TEXT:
        raise ValidationError(f"Tên cơ quan trong câu văn quá dài ({len(value)} ký tự, tối đa {MAX_OFFICE_IN_TEXT}).")
    if "$" in value:
        raise ValidationError("Tên cơ quan trong câu văn không được chứa dấu $.")
    with engine.begin() as conn:
        conn.execute(delete(_setting).where(_setting.c.key == OFFICE_IN_TEXT_KEY))
        if value:
            conn.execute(insert(_setting), [{"key": OFFICE_IN_TEXT_KEY, "value": value, "updated_at": utcnow()}])
        _audit_row(conn, "settings.template", "ten_co_quan", {"value": value}, actor)
    return value or None

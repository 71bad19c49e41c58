"""The interchange format (JSONL): record types, their fields, and the checks of one line.

Every line is one JSON object with a ``type``; ``id`` is the file's own reference to the record
(kept in the ``external_id`` column) and references between records use those ids. This module
only knows the format: it turns a decoded line into column values in the *storage form* of the
target database (what the DB-API driver takes and gives back), so the importer can compare them
with the stored rows and insert them without any further conversion. References stay file ids
here; the importer resolves them once the whole file has been read.

See docs/interchange.md for the format as users read it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any

from sqlalchemy import Dialect, Table

from reception_desk.domain.enums import (
    AgencyLevel,
    CaseStatus,
    Channel,
    HandlingDirection,
    IdType,
    PetitionKind,
    ReceptionMode,
    SessionKind,
)
from reception_desk.domain.text import fold, nfc
from reception_desk.storage.models import (
    Agency,
    Case,
    Citizen,
    Directive,
    Petition,
    PetitionSigner,
    ReceptionSession,
    SessionAgency,
    SessionCase,
    Transfer,
    Visit,
    VisitCitizen,
)

try:  # the lead's ID rules; without them id numbers are stored as given
    from reception_desk.domain.ids import check_id_number
except ImportError:  # pragma: no cover - only while the domain module is missing
    check_id_number = None  # type: ignore[assignment]

ID_MAX = 100  # external_id column length
REFUSAL_GROUNDS = ("k1", "k2", "k3", "k4")  # Luật Tiếp công dân Điều 9, khoản 1–4


class Bad(Exception):
    """One bad value; the message is Vietnamese and names no field (the caller adds it)."""


class _Derived:
    """Marker default: the value is computed from other fields when the file leaves it out."""

    def __repr__(self) -> str:
        return "DERIVED"


DERIVED: Any = _Derived()


@dataclass(frozen=True)
class FieldSpec:
    key: str  # the JSON field
    column: str | None  # the table column (None for a list of references)
    kind: str  # text | enum | date | time | int | bool | ref | refs
    arg: Any = None  # text: max length; enum: the enum; int: (min, max); ref/refs: target type
    required: bool = False
    default: Any = None  # when the field is absent (and, for NOT NULL columns, when it is null)
    nullable: bool = True  # may the column hold NULL
    fold_into: str | None = None  # the folded *_key twin column of a text field
    child: str | None = None  # refs: the link table
    role: str | None = None  # refs into visit_citizen: the role of the listed citizens
    doc: str = ""  # English / Vietnamese note for docs and messages


@dataclass(frozen=True)
class TypeSpec:
    name: str  # the JSON "type"
    label: str  # Vietnamese name of the record type, for messages
    table: Table
    fields: tuple[FieldSpec, ...]
    key_columns: tuple[tuple[str, str, bool], ...] = ()  # (key column, source column, nullable)
    scalars: tuple[FieldSpec, ...] = field(init=False)
    lists: tuple[FieldSpec, ...] = field(init=False)
    allowed: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scalars", tuple(f for f in self.fields if f.kind != "refs"))
        object.__setattr__(self, "lists", tuple(f for f in self.fields if f.kind == "refs"))
        object.__setattr__(self, "allowed", frozenset({"type", "id", *(f.key for f in self.fields)}))

    @property
    def data_columns(self) -> list[str]:
        """Stored columns the file decides, in a fixed order: scalar fields then folded keys."""
        return [f.column for f in self.scalars] + [k for k, _, _ in self.key_columns]  # type: ignore[misc]


def _f(key: str, kind: str, arg: Any = None, *, column: str | None = None, **kw: Any) -> FieldSpec:
    return FieldSpec(key=key, column=column if column is not None or kind == "refs" else key, kind=kind,
                     arg=arg, **kw)


# Types in dependency order: a type only references types before it (or itself). Export writes
# them in this order; import inserts them in this order.
TYPES: tuple[TypeSpec, ...] = (
    TypeSpec("agency", "cơ quan", Agency.__table__, (
        _f("name", "text", 300, required=True, nullable=False, fold_into="name_key"),
        _f("address", "text", 500),
        _f("email", "text", 200),
        _f("short_code", "text", 30),
        _f("level", "enum", AgencyLevel),
        _f("parent_id", "ref", "agency"),
        _f("phone", "text", 40),
        _f("active", "bool", default=True, nullable=False),
    ), key_columns=(("name_key", "name", False),)),
    TypeSpec("citizen", "công dân", Citizen.__table__, (
        _f("full_name", "text", 200, required=True, nullable=False, fold_into="name_key"),
        _f("id_number", "text", 40),
        _f("address", "text", 500),
        _f("phone", "text", 40),
        _f("birth_year", "int", (1880, 2100)),
        _f("gender", "text", 10),
        _f("id_type", "enum", IdType, default=DERIVED),
        _f("note", "text", None),
    ), key_columns=(("name_key", "full_name", False),)),
    TypeSpec("case", "vụ việc", Case.__table__, (
        _f("title", "text", 500, required=True, nullable=False, fold_into="title_key"),
        _f("kind", "enum", PetitionKind, required=True, nullable=False),
        _f("field", "text", 100),
        _f("place", "text", 300),
        _f("status", "enum", CaseStatus, default=CaseStatus.OPEN.value, nullable=False),
        _f("remote_area", "bool", default=False, nullable=False),
    ), key_columns=(("title_key", "title", False),)),
    TypeSpec("session", "buổi tiếp của lãnh đạo", ReceptionSession.__table__, (
        _f("held_on", "date", required=True, nullable=False),
        _f("kind", "enum", SessionKind, required=True, nullable=False),
        _f("reception", "enum", ReceptionMode, column="reception_mode", required=True, nullable=False),
        _f("leader", "text", 200, required=True, nullable=False),
        _f("leader_position", "text", 200),
        _f("authorised_by", "text", 200),
        _f("place", "text", 300),
        _f("note", "text", None),
        _f("agency_ids", "refs", "agency", child="session_agency"),
        _f("case_ids", "refs", "case", child="session_case"),
    )),
    TypeSpec("visit", "lượt tiếp", Visit.__table__, (
        _f("date", "date", column="visit_date", required=True, nullable=False),
        _f("time", "time", column="visit_time"),
        _f("reception", "enum", ReceptionMode, column="reception_mode", required=True, nullable=False),
        _f("session_id", "ref", "session"),
        _f("host", "text", 200),
        _f("case_id", "ref", "case", required=True, nullable=False),
        _f("persons", "int", (1, 100_000), default=1, nullable=False),
        _f("is_delegation", "bool", default=DERIVED, nullable=False),
        _f("content", "text", None, fold_into="content_key"),
        _f("outcome", "text", 300),
        _f("refusal_ground", "enum", REFUSAL_GROUNDS),
        _f("note", "text", None),
        _f("citizen_ids", "refs", "citizen", child="visit_citizen", role="citizen"),
        _f("representative_ids", "refs", "citizen", child="visit_citizen", role="representative"),
    ), key_columns=(("content_key", "content", True),)),
    TypeSpec("petition", "đơn", Petition.__table__, (
        _f("received_on", "date", required=True, nullable=False),
        _f("channel", "enum", Channel, required=True, nullable=False),
        _f("kind", "enum", PetitionKind, required=True, nullable=False),
        _f("case_id", "ref", "case"),
        _f("anonymous", "bool", default=False, nullable=False),
        _f("summary", "text", None, fold_into="summary_key"),
        _f("duplicate_of", "ref", "petition", column="duplicate_of_id"),
        _f("field", "text", 100),
        _f("handling", "enum", HandlingDirection),
        _f("eligible", "bool"),
        _f("ineligible_reason", "text", 300),
        _f("confidential", "bool", default=DERIVED, nullable=False),
        _f("dated_on", "date"),
        _f("source_agency_id", "ref", "agency"),
        _f("incoming_number", "text", 60),
        _f("citizen_ids", "refs", "citizen", child="petition_signer"),
    ), key_columns=(("summary_key", "summary", True),)),
    TypeSpec("transfer", "chuyển đơn", Transfer.__table__, (
        _f("petition_id", "ref", "petition", required=True, nullable=False),
        _f("agency_id", "ref", "agency", required=True, nullable=False),
        _f("sent_on", "date", required=True, nullable=False),
        _f("number", "text", 60),
        _f("due_on", "date"),
        _f("answered_on", "date"),
        _f("answer_number", "text", 60),
        _f("result", "text", None),
    )),
    TypeSpec("directive", "văn bản chỉ đạo", Directive.__table__, (
        _f("issued_on", "date", required=True, nullable=False),
        _f("number", "text", 60),
        _f("subject", "text", None),
        _f("case_id", "ref", "case"),
        _f("petition_id", "ref", "petition"),
    )),
)
SPECS: dict[str, TypeSpec] = {t.name: t for t in TYPES}
TYPE_NAMES = ", ".join(SPECS)

# Link tables: (parent column, target column, has role, has ordinal)
CHILD_TABLES: dict[str, tuple[Table, str, str, bool, bool]] = {
    "visit_citizen": (VisitCitizen.__table__, "visit_id", "citizen_id", True, True),
    "petition_signer": (PetitionSigner.__table__, "petition_id", "citizen_id", False, True),
    "session_agency": (SessionAgency.__table__, "session_id", "agency_id", False, False),
    "session_case": (SessionCase.__table__, "session_id", "case_id", False, False),
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def looks_like_uuid(text: str) -> bool:
    """An id written by export for a record that had no file id of its own."""
    return len(text) == 36 and _UUID.fullmatch(text) is not None


def _processor(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    col = table.c[column]
    return col.type.dialect_impl(dialect).bind_processor(dialect)


def _is_clean(value: str) -> bool:
    """True when nfc(value) == value, decided without building a new string.

    isprintable() is False for every white space but the ASCII space (tabs, new lines, NBSP,
    U+2028…), so a printable text only needs its spaces checked; ASCII is always NFC.
    """
    return (value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " "
            and (value.isascii() or unicodedata.is_normalized("NFC", value)))


# The characters a line of Vietnamese text is made of: printable ASCII (not DEL), U+00C0–U+01BF and
# U+1E80–U+1EFF. Each is printable, a starter (combining class 0) and NFC quick-check "Yes", so a
# text of them only is NFC (UAX #15 quick check); a test checks this for every one of them.
SURE_CHARACTERS = (range(0x20, 0x7F), range(0xC0, 0x1C0), range(0x1E80, 0x1F00))


def _byte_classes() -> bytes:
    """A translate table of a line's bytes: A = space or quote, E = lead byte E1, B = BA or BB (the
    second byte of U+1E80–U+1EFF after E1), Z = not surely clean (backslash, DEL, control, other
    lead bytes), x = the rest of SURE_CHARACTERS' UTF-8 bytes (continuation bytes included)."""
    table = bytearray(b"Z" * 256)
    for byte in [*range(0x20, 0x7F), *range(0x80, 0xC0), *range(0xC3, 0xC7)]:
        table[byte] = ord("x")
    table[ord(" ")] = table[ord('"')] = ord("A")
    table[ord("\\")] = ord("Z")
    table[0xE1] = ord("E")
    table[0xBA] = table[0xBB] = ord("B")
    return bytes(table)


_CLASSES = _byte_classes()


def line_is_clean(raw: bytes) -> bool:
    """True when every string of this compact JSON line is already clean (see _is_clean).

    Checked once on the line's bytes instead of once per value: without a backslash every ``"``
    delimits a string, so a space next to one, or two spaces, is the only way a value can begin or
    end with a space or hold a double space; the rest (printable, NFC) holds for the whole line
    exactly when it holds for every piece, because the ASCII ``"`` between them never combines
    with anything. Lines written with other separators (``", "``) just take the detailed path.
    ``raw`` is a line orjson has decoded, so it is valid UTF-8.
    """
    raw = raw.rstrip(b"\r\n")
    classes = raw.translate(_CLASSES)
    if b"Z" not in classes and b"AA" not in classes and classes.count(b"E") == classes.count(b"EB"):
        # only SURE_CHARACTERS, and no space or quote next to a space or quote (an empty string
        # "" fails this and takes the detailed path below)
        return True
    if b"\\" in raw or b"  " in raw or b'" ' in raw or b' "' in raw:
        return False
    if raw.isascii():
        # JSON escapes every ASCII control character but DEL, which is not printable either
        return b"\x7f" not in raw
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return line.isprintable() and unicodedata.is_normalized("NFC", line)


class LineParser:
    """Checks decoded lines one by one; keeps caches so repeated texts and dates cost nothing.

    One parser per import (the caches hold that file's values only).
    """

    def __init__(self, dialect: Dialect, today: date) -> None:
        self.dialect = dialect
        self.today = today
        self._text: dict[str, str] = {}
        self._fold: dict[str, str] = {}
        self._dates: dict[str, Any] = {}
        self._good_dates: dict[str, Any] = {}  # the valid ones only, for the fast path
        self._times: dict[str, Any] = {}
        self._date_proc = _processor(Visit.__table__, "visit_date", dialect)
        self._time_proc = _processor(Visit.__table__, "visit_time", dialect)
        self._bool_proc = _processor(Visit.__table__, "is_delegation", dialect)
        self.true = self._bool_proc(True) if self._bool_proc else True
        self.false = self._bool_proc(False) if self._bool_proc else False
        self._fold_text = fold
        # per type: (key, converter, required, nullable, default) for each scalar field; the
        # clean plans take the texts of a line_is_clean line as they are
        self._plans: dict[str, list[tuple[str, Callable[[Any], Any], bool, bool, Any]]] = {}
        self._clean_plans: dict[str, list[tuple[str, Callable[[Any], Any], bool, bool, Any]]] = {}
        for spec in TYPES:
            for plans, clean in ((self._plans, False), (self._clean_plans, True)):
                plan = []
                for f in spec.scalars:
                    default = f.default
                    if type(default) is bool:
                        default = self.true if default else self.false
                    plan.append((f.key, self._converter(f, clean=clean), f.required, f.nullable, default))
                plans[spec.name] = plan
        self._fast = {spec.name: self._fast_parser(spec) for spec in TYPES}

    # --- single values ------------------------------------------------------------------------

    def text(self, value: Any) -> str:
        if type(value) is not str:
            raise Bad("phải là chuỗi ký tự")
        if _is_clean(value):
            return value
        out = self._text.get(value)
        if out is None:
            out = nfc(value) or ""
            self._text[value] = out
        return out

    def fold(self, text: str | None) -> str | None:
        if text is None:
            return None
        out = self._fold.get(text)
        if out is None:
            out = self._fold_text(text)
            self._fold[text] = out
        return out

    def ref_id(self, value: Any, *, clean: bool = False) -> str:
        """A file id: a non-empty string (or an integer, taken as its digits)."""
        if type(value) is int:
            value = str(value)
        elif type(value) is not str:
            raise Bad("mã phải là chuỗi ký tự hoặc số nguyên")
        text = value if clean else self.text(value)
        if not text:
            raise Bad("mã không được để trống")
        if len(text) > ID_MAX:
            raise Bad(f"mã dài quá {ID_MAX} ký tự")
        return text

    def date(self, value: Any) -> Any:
        out = self._dates.get(value) if type(value) is str else None
        if out is None:
            out = self._parse_date(value)
            self._dates[value] = out
            if type(out) is not Bad:
                self._good_dates[value] = out
        if type(out) is Bad:
            raise out
        return out

    def _parse_date(self, value: Any) -> Any:
        shown = value if type(value) is str else repr(value)
        bad = Bad(f"ngày không hợp lệ “{shown}” (định dạng YYYY-MM-DD)")
        if type(value) is not str or not _DATE.fullmatch(value):
            if type(value) is not str:
                raise bad
            return bad
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return bad
        return self._date_proc(day) if self._date_proc else day

    def time(self, value: Any) -> Any:
        if type(value) is not str:
            raise Bad(f"giờ không hợp lệ “{value!r}” (định dạng HH:MM hoặc HH:MM:SS)")
        out = self._times.get(value)
        if out is None:
            bad = Bad(f"giờ không hợp lệ “{value}” (định dạng HH:MM hoặc HH:MM:SS)")
            if not _TIME.fullmatch(value):
                raise bad
            try:
                t = time.fromisoformat(value)
            except ValueError:
                raise bad from None
            out = self._time_proc(t) if self._time_proc else t
            self._times[value] = out
        return out

    def _clean_ref_id(self, value: Any) -> str:
        return self.ref_id(value, clean=True)

    def _converter(self, f: FieldSpec, *, clean: bool = False) -> Callable[[Any], Any]:
        kind, arg = f.kind, f.arg
        if kind == "text":
            limit = arg
            if clean:

                def clean_text(value: Any) -> str:
                    if type(value) is not str:
                        raise Bad("phải là chuỗi ký tự")
                    if limit is not None and len(value) > limit:
                        raise Bad(f"dài quá {limit} ký tự (đang có {len(value)})")
                    return value

                return clean_text

            def text(value: Any) -> str:
                out = self.text(value)
                if limit is not None and len(out) > limit:
                    raise Bad(f"dài quá {limit} ký tự (đang có {len(out)})")
                return out

            return text
        if kind == "enum":
            values = tuple(m.value for m in arg) if isinstance(arg, type) and issubclass(arg, StrEnum) else arg
            allowed = frozenset(values)
            shown = ", ".join(values)

            def enum(value: Any) -> str:
                if type(value) is str and value in allowed:
                    return value
                raise Bad(f"giá trị không hợp lệ “{value}” (cho phép: {shown})")

            return enum
        if kind == "date":
            return self.date
        if kind == "time":
            return self.time
        if kind == "int":
            low, high = arg

            def integer(value: Any) -> int:
                if type(value) is not int:
                    raise Bad(f"phải là số nguyên (đang là “{value}”)")
                if value < low:
                    raise Bad(f"phải từ {low} trở lên (đang là {value})")
                if value > high:
                    raise Bad(f"không được lớn hơn {high} (đang là {value})")
                return value

            return integer
        if kind == "bool":
            true, false = self.true, self.false

            def boolean(value: Any) -> Any:
                if value is True:
                    return true
                if value is False:
                    return false
                raise Bad(f"phải là true hoặc false (đang là “{value}”)")

            return boolean
        if kind == "ref":
            return self._clean_ref_id if clean else self.ref_id
        raise ValueError(kind)  # pragma: no cover - the specs above use only these kinds

    # --- the fast path of a clean line ---------------------------------------------------------

    def _fast_parser(self, spec: TypeSpec) -> Callable[[dict[str, Any]], tuple[list[Any], list[list[str]]] | None]:
        """A function made for ``spec`` that converts a record of a clean line whose every value is
        good — nearly every line of a real file — with the checks written out one after the other,
        or returns None at the first doubtful value, and parse() then takes the detailed path,
        which finds and words every error. Two to three times cheaper than the plans' loop of
        converter calls; a test compares both on generated records."""
        consts: dict[str, Any] = {"dates": self._good_dates, "times": self._times, "DERIVED": DERIVED}
        code = ["def fast(obj):", "    get = obj.get"]
        names: list[str] = []
        for n, f in enumerate(spec.scalars):
            out = f"a{n}"
            names.append(out)
            default = f.default
            if type(default) is bool:
                default = self.true if default else self.false
            consts[f"d{n}"] = default
            code.append(f"    v = get({f.key!r})")
            if f.required:
                code.append("    if v is None: return None")
            elif f.nullable and default is not None:
                code.append(f"    if v is None: {out} = None if {f.key!r} in obj else d{n}")
            else:  # null and absent alike: the default (None for most columns)
                code.append(f"    if v is None: {out} = d{n}")
            code.append("    else:")
            if f.kind == "text":
                empty = " or not v" if f.required else ""
                limit = f" or len(v) > {int(f.arg)}" if f.arg is not None else ""
                code += [f"        if type(v) is not str{empty}{limit}: return None", f"        {out} = v"]
            elif f.kind == "enum":
                values = tuple(m.value for m in f.arg) if isinstance(f.arg, type) else f.arg
                consts[f"e{n}"] = frozenset(values)
                code += [f"        if type(v) is not str or v not in e{n}: return None", f"        {out} = v"]
            elif f.kind in ("date", "time"):
                cache = "dates" if f.kind == "date" else "times"
                code += [f"        {out} = {cache}.get(v) if type(v) is str else None",
                         f"        if {out} is None: return None"]
            elif f.kind == "int":
                low, high = f.arg
                code += [f"        if type(v) is not int or v < {int(low)} or v > {int(high)}: return None",
                         f"        {out} = v"]
            elif f.kind == "bool":
                consts["true"], consts["false"] = self.true, self.false
                code += [f"        if v is True: {out} = true",
                         f"        elif v is False: {out} = false",
                         "        else: return None"]
            elif f.kind == "ref":
                code += [f"        if type(v) is not str or not v or len(v) > {ID_MAX}: return None",
                         f"        {out} = v"]
            else:  # pragma: no cover - the specs above use only these kinds
                raise ValueError(f.kind)
        lists: list[str] = []
        for n, f in enumerate(spec.lists):
            out = f"l{n}"
            lists.append(out)
            code += [f"    v = get({f.key!r})",
                     f"    if v is None: {out} = []",
                     "    elif type(v) is list:",
                     "        for x in v:",
                     f"            if type(x) is not str or not x or len(x) > {ID_MAX}: return None",
                     "        if len(set(v)) != len(v): return None",  # repeats: the detailed path warns
                     f"        {out} = list(v)",
                     "    else: return None"]
        code.append(f"    return [{', '.join(names)}], [{', '.join(lists)}]")
        exec("\n".join(code), consts)  # noqa: S102 - our own source, made from the specs above
        return consts["fast"]  # type: ignore[no-any-return]

    # --- one record ---------------------------------------------------------------------------

    def parse(self, spec: TypeSpec, obj: dict[str, Any], line: int, errors: list[tuple[int, str]],
              warnings: list[str], *, clean: bool = False) -> tuple[list[Any], list[list[str]]] | None:
        """Scalar values (storage form; references as file ids) and the reference lists.

        Appends ``(line, "line N: field: message")`` to errors; returns None when there were any.
        ``clean``: line_is_clean said every text of the line is already clean.
        """
        if clean:
            fast = self._fast[spec.name](obj)
            if fast is not None:
                return self._checked(spec, obj, *fast, line, errors, warnings)
        values: list[Any] = []
        failed = False
        get = obj.get
        plans = self._clean_plans if clean else self._plans
        for key, conv, required, nullable, default in plans[spec.name]:
            value = get(key)
            if value is None:
                if required:
                    what = "thiếu trường bắt buộc" if key not in obj else "bắt buộc, không được để null"
                    errors.append((line, f"line {line}: {key}: {what}"))
                    failed = True
                    values.append(None)
                elif nullable and key in obj:
                    values.append(None)
                else:
                    values.append(default)
                continue
            try:
                out = conv(value)
            except Bad as exc:
                errors.append((line, f"line {line}: {key}: {exc}"))
                failed = True
                values.append(None)
                continue
            if required and out == "":
                errors.append((line, f"line {line}: {key}: không được để trống"))
                failed = True
            values.append(out)
        lists: list[list[str]] = []
        for f in spec.lists:
            value = obj.get(f.key)
            if value is None:
                lists.append([])
                continue
            if type(value) is not list:
                errors.append((line, f"line {line}: {f.key}: phải là danh sách mã, ví dụ [\"C1\", \"C2\"]"))
                failed = True
                lists.append([])
                continue
            ids: list[str] = []
            for item in value:
                try:
                    ids.append(self.ref_id(item, clean=clean))
                except Bad as exc:
                    errors.append((line, f"line {line}: {f.key}: {exc}"))
                    failed = True
            if len(set(ids)) != len(ids):
                repeated = sorted({i for i in ids if ids.count(i) > 1})
                warnings.append(f"line {line}: {f.key}: mã {', '.join(repeated)} lặp lại trong danh sách; "
                                "chỉ ghi một lần")
                ids = list(dict.fromkeys(ids))
            lists.append(ids)
        if failed:
            return None
        return self._checked(spec, obj, values, lists, line, errors, warnings)

    def _checked(self, spec: TypeSpec, obj: dict[str, Any], values: list[Any], lists: list[list[str]], line: int,
                 errors: list[tuple[int, str]], warnings: list[str]) -> tuple[list[Any], list[list[str]]] | None:
        """The record after its type's own rules (_HOOKS); None when they found an error."""
        hook = _HOOKS.get(spec.name)
        if hook is not None:
            hook(self, obj, values, lists, line, errors, warnings)
            if errors and errors[-1][0] == line:
                return None
        return values, lists

    # --- type-specific rules ------------------------------------------------------------------

    def _citizen(self, obj: dict[str, Any], values: list[Any], lists: list[list[str]], line: int,
                 errors: list[tuple[int, str]], warnings: list[str]) -> None:
        number = values[_IX["citizen"]["id_number"]]
        id_type_ix = _IX["citizen"]["id_type"]
        if number and check_id_number is not None:
            birth_year = values[_IX["citizen"]["birth_year"]]
            gender = values[_IX["citizen"]["gender"]]
            check = check_id_number(number, today=self.today, sex=gender, birth_year=birth_year)
            # The desk saves a doubtful number with a warning, so an import never refuses one either.
            for message in check.messages():
                warnings.append(f"line {line}: id_number: {message}")
            if check.ok and check.number:
                values[_IX["citizen"]["id_number"]] = check.number
            if values[id_type_ix] is DERIVED:
                values[id_type_ix] = check.id_type.value
        if values[id_type_ix] is DERIVED:
            values[id_type_ix] = None

    def _visit(self, obj: dict[str, Any], values: list[Any], lists: list[list[str]], line: int,
               errors: list[tuple[int, str]], warnings: list[str]) -> None:
        ix = _IX["visit"]
        persons = values[ix["persons"]]
        if values[ix["is_delegation"]] is DERIVED:
            values[ix["is_delegation"]] = self.true if persons >= 5 else self.false
        elif (values[ix["is_delegation"]] == self.true) != (persons >= 5):
            # Kept as given (a clerk may override), but the reports count this flag: say so.
            warnings.append(f"line {line}: is_delegation: {persons} người nhưng is_delegation ghi khác quy tắc "
                            "đoàn đông người (từ 5 người); thống kê theo giá trị đã ghi")
        citizens, representatives = lists
        missing = [r for r in representatives if r not in citizens]
        if missing:
            warnings.append(f"line {line}: representative_ids: người đại diện {', '.join(missing)} "
                            "không có trong citizen_ids")
        if len(citizens) > persons:
            warnings.append(f"line {line}: persons: {persons} người nhưng citizen_ids có {len(citizens)} mã")

    def _petition(self, obj: dict[str, Any], values: list[Any], lists: list[list[str]], line: int,
                  errors: list[tuple[int, str]], warnings: list[str]) -> None:
        ix = _IX["petition"]
        denunciation = values[ix["kind"]] == PetitionKind.DENUNCIATION.value
        if values[ix["confidential"]] is DERIVED:
            values[ix["confidential"]] = self.true if denunciation else self.false
        elif denunciation and values[ix["confidential"]] != self.true:
            # Luật Tố cáo Điều 9, 56: a denouncer's identity is always protected; a file cannot
            # turn that off.
            values[ix["confidential"]] = self.true
            warnings.append(f"line {line}: confidential: đơn tố cáo luôn được bảo mật danh tính người tố cáo; "
                            "đã ghi confidential = true")
        ident = obj.get("id")
        if values[ix["duplicate_of"]] is not None and values[ix["duplicate_of"]] == self._own_id(ident):
            errors.append((line, f"line {line}: duplicate_of: đơn không thể là đơn trùng của chính nó"))

    def _transfer(self, obj: dict[str, Any], values: list[Any], lists: list[list[str]], line: int,
                  errors: list[tuple[int, str]], warnings: list[str]) -> None:
        ix = _IX["transfer"]
        sent, due, answered = values[ix["sent_on"]], values[ix["due_on"]], values[ix["answered_on"]]
        if answered is not None and answered < sent:
            warnings.append(f"line {line}: answered_on: ngày trả lời trước ngày chuyển đơn")
        if due is not None and due < sent:
            warnings.append(f"line {line}: due_on: hạn trả lời trước ngày chuyển đơn")

    def _agency(self, obj: dict[str, Any], values: list[Any], lists: list[list[str]], line: int,
                errors: list[tuple[int, str]], warnings: list[str]) -> None:
        parent = values[_IX["agency"]["parent_id"]]
        if parent is not None and parent == self._own_id(obj.get("id")):
            errors.append((line, f"line {line}: parent_id: cơ quan không thể là cấp trên của chính nó"))

    def _own_id(self, value: Any) -> str | None:
        try:
            return self.ref_id(value)
        except Bad:
            return None


# Position of each field in a type's scalar values.
_IX: dict[str, dict[str, int]] = {t.name: {f.key: i for i, f in enumerate(t.scalars)} for t in TYPES}
_HOOKS: dict[str, Callable[..., None]] = {
    "agency": LineParser._agency,
    "citizen": LineParser._citizen,
    "visit": LineParser._visit,
    "petition": LineParser._petition,
    "transfer": LineParser._transfer,
}


def field_index(type_name: str, key: str) -> int:
    return _IX[type_name][key]

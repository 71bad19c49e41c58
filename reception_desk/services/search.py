"""Quick search over citizens, cases and petitions, ignoring case and Vietnamese diacritics.

Used by ``reception-desk search`` and by the GUI's search box. The query is folded like the stored
keys (domain.text.fold: lower case, no diacritics, đ → d), so NFC and NFD input, "DUC", "Đức" and
"duc" all find the same rows. What matches and in which order is described in
storage.search_queries and docs/search.md.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, Row

from reception_desk.domain.enums import CaseStatus, IdType, LabelledEnum, PetitionKind
from reception_desk.domain.text import fold
from reception_desk.services.errors import ValidationError
from reception_desk.storage.search_queries import (
    SearchTerms,
    begin_search,
    find_cases,
    find_citizens,
    find_petitions,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_QUERY_LENGTH = 200
EXCERPT_LENGTH = 90

KIND_LABELS = {"citizen": "Công dân", "case": "Vụ việc", "petition": "Đơn"}
# Short forms for a one-line result (the enum labels are written for forms).
_ID_SHORT = {IdType.CCCD: "CCCD", IdType.CMND: "CMND", IdType.PASSPORT: "Hộ chiếu", IdType.OTHER: "Giấy tờ"}

_SEPARATORS = re.compile(r"[\s.\-()+]+")
# An id number or phone (separators and "+" removed): digits, at most two letters (passport series).
_CONTACT = re.compile(r"^(?=(?:[^a-z]*[a-z]){0,2}[^a-z]*$)[0-9a-z]*[0-9][0-9a-z]*$")
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as the word indexes split text


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str  # "citizen", "case" or "petition" (labels: KIND_LABELS)
    id: uuid.UUID
    ref: str  # the external id when the record has one, else the UUID
    title: str
    detail: str


def parse_query(text: str | None) -> SearchTerms:
    """The folded words of a query; a Vietnamese ValidationError for a blank or oversized one."""
    folded = fold(text)
    if not folded:
        raise ValidationError("Hãy nhập nội dung cần tìm (họ tên, số giấy tờ, số điện thoại hoặc nội dung đơn).")
    if len(folded) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Nội dung cần tìm quá dài (tối đa {MAX_QUERY_LENGTH} ký tự).")
    compact = _SEPARATORS.sub("", folded)
    return SearchTerms(
        phrase=folded,
        words=tuple(dict.fromkeys(_WORD.findall(folded))),
        contact=compact if _CONTACT.match(compact) else None,
    )


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"Số kết quả tối đa phải từ 1 đến {MAX_LIMIT}.")
    return limit


def search(engine: Engine, text: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """The first ``limit`` hits: citizens, then cases, then petitions (newest first)."""
    terms = parse_query(text)
    check_limit(limit)
    hits: list[SearchHit] = []
    with engine.connect() as conn:
        begin_search(conn)
        hits += [citizen_hit(r) for r in find_citizens(conn, terms, limit)]
        hits += [case_hit(r) for r in find_cases(conn, terms, limit - len(hits))]
        hits += [petition_hit(r, terms) for r in find_petitions(conn, terms, limit - len(hits))]
    return hits


# --- one line per hit -----------------------------------------------------------------------------


def _ref(row: Row) -> str:
    return row.external_id or str(row.id)


def _one_line(value: str | None) -> str:
    return _WHITESPACE.sub(" ", value or "").strip()


def _shorten(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


def _label(enum: type[LabelledEnum], code: str | None) -> str | None:
    if not code:
        return None
    try:
        return enum(code).label
    except ValueError:
        return code  # an unknown code from an imported file: show it rather than hide the row


def citizen_hit(row: Row) -> SearchHit:
    parts = []
    if row.id_number:
        parts.append(f"{_ID_SHORT.get(row.id_type, 'Giấy tờ')} {row.id_number}")
    if row.phone:
        parts.append(_one_line(row.phone))
    if row.address:
        parts.append(_shorten(_one_line(row.address), 60))
    return SearchHit("citizen", row.id, _ref(row), _one_line(row.full_name), " · ".join(parts))


def case_hit(row: Row) -> SearchHit:
    parts = [_label(PetitionKind, row.kind), _label(CaseStatus, row.status), row.field, row.place]
    detail = " · ".join(_one_line(p) for p in parts if p)
    return SearchHit("case", row.id, _ref(row), _one_line(row.title), detail)


def petition_hit(row: Row, terms: SearchTerms | None = None) -> SearchHit:
    """The only way a petition is shown in search results: date · kind, and an excerpt of the summary.

    Confidentiality (Luật Tố cáo, Điều 9 and 56): a denunciation's signers must stay secret, so a
    hit is built from these three fields alone — for every petition, whatever its kind — and the
    search neither reads the signers nor matches petitions by their names (see
    services.visibility.signers_searchable).
    """
    received: date = row.received_on
    title = f"{received.isoformat()} · {_label(PetitionKind, row.kind)}"
    return SearchHit("petition", row.id, _ref(row), title, excerpt(row.summary, terms))


def excerpt(summary: str | None, terms: SearchTerms | None, length: int = EXCERPT_LENGTH) -> str:
    """A one-line window of the summary around the first matching word."""
    line = _one_line(summary)
    if len(line) <= length:
        return line
    start = 0
    if terms:
        position = _first_match(line, terms)
        if position > length // 3:
            start = line.rfind(" ", 0, position - length // 4) + 1
    window = line[start : start + length]
    if start + length < len(line):
        window = window[: window.rfind(" ")] if " " in window[length // 2 :] else window
        window = window.rstrip(" ,;.") + "…"
    return ("…" + window) if start else window


def _first_match(line: str, terms: SearchTerms) -> int:
    """Where in ``line`` the first query word occurs, comparing folded characters."""
    # Fold character by character so positions in the folded text map back to the original.
    folded = "".join(map(_fold_char, line))
    found = [folded.find(word) for word in terms.words]
    found = [f for f in found if f >= 0]
    return min(found) if found else 0


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character folded to exactly one (white space and marks alone become a space)."""
    return (fold(ch) or " ")[:1]

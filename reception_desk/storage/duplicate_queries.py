"""Set-based look-ups behind the duplicate suggestion at intake (services.petitions.suggest_duplicates).

Everything here is bounded so that a suggestion stays well under 50 ms at a million petitions,
through indexes that exist anyway:

- petitions of the same signers: ``petition_signer.citizen_id`` index, then the petition by its
  primary key, filtered on the received date (a citizen has a few dozen petitions at most);
- how rare a word of the summary is: a word common among the newest summaries (the sample below)
  is common; SQLite counts the rows of the others in the FTS5 word table, stopping at COUNT_CAP
  (short posting lists: ~0.05 ms a word); PostgreSQL reads the share ANALYZE keeps for the most common words of
  the GIN index (cached) and the word lists of revision 0004 (whether a word is in any summary);
- petitions sharing rare words: the FTS5 table (SQLite) or the GIN index (PostgreSQL) asked for
  "at least two of the query's rarest words" — an OR of ANDs whose posting lists are short by
  construction —, then three, … until at most CANDIDATE_CAP rows match; only those rows are read
  and filtered on the received date;
- how common the other words are: a sample of the newest summaries (received_on index), cached.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import Connection, Engine, Row, Table, bindparam, func, literal_column, select, text

from reception_desk.storage import search_queries
from reception_desk.storage.models import Citizen, Petition, PetitionSigner

# SQLite: a word's rows are counted in the FTS5 table up to this many (more = "common").
COUNT_CAP = 5000
# At most this many petitions are read from the table for the words (newest first), before the date filter.
CANDIDATE_CAP = 100
# SQLite: how many times the next older CANDIDATE_CAP matches are read when the newest were all
# received after the window (a petition entered late).
SQLITE_PAGES = 3
# When even the strictest word condition matches more than this many petitions in all, the words
# are too common to tell a duplicate: no suggestion by content. PostgreSQL reads a condition
# matching at most this many whole (id, date); looser ones are tried while fewer than PG_ENOUGH
# petitions of the window were found.
READ_MAX = 1000
PG_ENOUGH = 20
# At most this many petitions of the given signers are read.
SIGNER_CAP = 500
# How many of the newest summaries make the sample of common words' shares; kept SAMPLE_TTL seconds.
SAMPLE_SIZE = 1000
SAMPLE_TTL = 600.0

_petition: Table = Petition.__table__  # type: ignore[assignment]
_signer: Table = PetitionSigner.__table__  # type: ignore[assignment]
_citizen: Table = Citizen.__table__  # type: ignore[assignment]

_PG_INDEX = "search_petition_summary_words"
_PG_DOCUMENT = "to_tsvector('simple', coalesce(summary_key, ''))"

CANDIDATE_COLUMNS = (
    _petition.c.id, _petition.c.received_on, _petition.c.kind, _petition.c.channel, _petition.c.summary,
    _petition.c.summary_key, _petition.c.handling, _petition.c.duplicate_of_id, _petition.c.case_id,
    _petition.c.confidential, _petition.c.anonymous,
)


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


# --- word frequencies -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """Word shares among the newest summaries, and the size of the petition table."""

    rows: int  # petitions in the table (estimate on PostgreSQL)
    size: int  # summaries sampled
    counts: Counter[str]  # word -> sampled summaries holding it

    def share(self, word: str) -> float | None:
        found = self.counts.get(word)
        return None if not found or not self.size else found / self.size


_samples: weakref.WeakKeyDictionary[Engine, tuple[float, Sample]] = weakref.WeakKeyDictionary()
_samples_lock = threading.Lock()


def word_sample(conn: Connection, split: Callable[[str], Iterable[str]]) -> Sample:
    """The sample of the newest summaries, cached per engine for SAMPLE_TTL seconds.

    ``split(key)`` gives the distinct words of a folded summary (the caller's tokenizer).
    """
    now = time.monotonic()
    with _samples_lock:
        cached = _samples.get(conn.engine)
    if cached is not None and now - cached[0] <= SAMPLE_TTL:
        return cached[1]
    keys = conn.execute(select(_petition.c.summary_key).order_by(_petition.c.received_on.desc())
                        .limit(SAMPLE_SIZE)).scalars().all()
    counts: Counter[str] = Counter()
    for key in keys:
        counts.update(split(key or ""))
    sample = Sample(petition_rows(conn), len(keys), counts)
    with _samples_lock:
        _samples[conn.engine] = (now, sample)
    return sample


def forget_sample(engine: Engine) -> None:
    """Drop the cached sample (tests, or after a bulk import)."""
    with _samples_lock:
        _samples.pop(engine, None)


def petition_rows(conn: Connection) -> int:
    """How many petitions there are: the largest rowid on SQLite, the planner's estimate on
    PostgreSQL (exact count when the table was never analysed, i.e. small)."""
    if _is_sqlite(conn):
        return int(conn.execute(text("SELECT coalesce(max(rowid), 0) FROM petition")).scalar_one())
    estimate = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('petition')")).scalar()
    if estimate is not None and estimate >= 0:
        return int(estimate)
    return int(conn.execute(select(func.count()).select_from(_petition)).scalar_one())


def sqlite_word_counts(conn: Connection, words: Sequence[str]) -> dict[str, int] | None:
    """SQLite: rows holding each word, counted up to COUNT_CAP + 1 (None: index suspended)."""
    if not search_queries.search_index_ready(conn):
        return None
    counts: dict[str, int] = {}
    statement = text("SELECT count(*) FROM (SELECT 1 FROM search_petition WHERE search_petition MATCH :q"
                     " LIMIT :cap)")
    for word in words:
        counts[word] = int(conn.execute(statement, {"q": _fts_word(word), "cap": COUNT_CAP + 1}).scalar_one())
    return counts


def pg_word_shares(conn: Connection, words: Sequence[str]) -> tuple[dict[str, float], set[str] | None, float]:
    """PostgreSQL: (share of rows for the words ANALYZE lists as common, the words that are in some
    summary — None when the word lists are missing —, the share assumed for an unlisted word)."""
    stats = search_queries._word_stats(conn, _PG_INDEX)  # noqa: SLF001 - the search's cached statistics
    shares = {w: stats.shares[w] for w in words if stats is not None and w in stats.shares}
    floor = stats.floor if stats is not None else 0.0
    present: set[str] | None = None
    if search_queries._pg_info(conn).vocabulary:  # noqa: SLF001
        present = set(conn.execute(
            text("SELECT word FROM search_word WHERE source = 's' AND word = ANY(CAST(:words AS text[]))"),
            {"words": list(words)},
        ).scalars())
    return shares, present, floor


# --- candidates -----------------------------------------------------------------------------------


def _fts_word(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _pg_word(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# The conditions "at least k of the words" are made of the first (rarest) GROUP_WORDS words; the
# others only narrow the last condition (all the words).
GROUP_WORDS = 4


def stages(words: Sequence[str]) -> list[list[tuple[str, ...]]]:
    """The word conditions tried in turn, each an OR of ANDs: at least two of the first four words,
    then at least three, then all four, then all the words (one word: that word)."""
    if len(words) <= 1:
        return [[tuple(words)]] if words else []
    first = words[:GROUP_WORDS]
    tried = [list(itertools.combinations(first, size)) for size in range(2, len(first) + 1)]
    return tried + ([[tuple(words)]] if len(words) > GROUP_WORDS else [])


def content_candidates(conn: Connection, rare_words: Sequence[str], start: date, end: date) -> list[Row]:
    """Petitions received in [start, end] holding at least two of ``rare_words`` (or the one word),
    at most CANDIDATE_CAP of them, newest first.

    ``rare_words``: the query's least common words, rarest first; the conditions tried are those
    of ``stages``, from "at least two of the first four" to "all of them".

    - SQLite, from the loosest: FTS5 streams the newest rowids matching a condition and stops, so
      a condition is taken when at most CANDIDATE_CAP petitions match it (else the next, stricter
      one), the last one keeping its newest CANDIDATE_CAP; when those were all received after
      ``end`` (a petition entered late), the next older ones are read, at most SQLITE_PAGES times.
    - PostgreSQL, from the strictest: GIN reads whole posting lists and gives the matches in the
      table's order, not the newest first, so a condition is read whole (id and date, at most
      READ_MAX rows) and the looser ones are tried only while fewer than PG_ENOUGH petitions of
      the window were found; a condition matching more than READ_MAX is not read (for the
      strictest one: nothing is suggested).
    """
    tried = stages(rare_words)
    if not tried:
        return []
    if _is_sqlite(conn):
        return _sqlite_candidates(conn, tried, start, end)
    found: dict[UUID, date] = {}
    for groups in reversed(tried):
        query = " | ".join("(" + " & ".join(map(_pg_word, g)) + ")" for g in groups)
        rows = conn.execute(text(f"SELECT id, received_on FROM petition WHERE {_PG_DOCUMENT} @@ CAST(:q AS tsquery)"
                                 " LIMIT :most"), {"q": query, "most": READ_MAX + 1}).all()
        if len(rows) > READ_MAX:
            break  # too common (or too loose): keep what the stricter conditions found
        found.update((r.id, r.received_on) for r in rows if start <= r.received_on <= end)
        if len(found) >= PG_ENOUGH:
            break
    newest = sorted(found, key=lambda k: found[k], reverse=True)[:CANDIDATE_CAP]
    if not newest:
        return []
    return list(conn.execute(select(*CANDIDATE_COLUMNS).where(_petition.c.id.in_(bindparam("ids", expanding=True))),
                             {"ids": newest}))


def _sqlite_candidates(conn: Connection, tried: list[list[tuple[str, ...]]], start: date, end: date) -> list[Row]:
    for n, groups in enumerate(tried):
        last = n == len(tried) - 1
        query = " OR ".join("(" + " AND ".join(map(_fts_word, g)) + ")" for g in groups)
        # The last condition is counted up to READ_MAX in the same statement.
        rowids = _fts_rowids(conn, query, READ_MAX + 1 if last else CANDIDATE_CAP + 1)
        if len(rowids) > CANDIDATE_CAP and not last:
            continue
        if len(rowids) > READ_MAX:
            return []  # even all the words together are too common to tell a duplicate
        for page in range(SQLITE_PAGES):
            chunk = rowids[page * CANDIDATE_CAP:(page + 1) * CANDIDATE_CAP]
            if not chunk:
                return []
            rows = list(conn.execute(select(*CANDIDATE_COLUMNS).where(literal_column("petition.rowid").in_(
                select(literal_column("value")).select_from(func.json_each(json.dumps(chunk)))))))
            found = [r for r in rows if start <= r.received_on <= end]
            if found or any(r.received_on <= end for r in rows):
                return found
            # all received after the window (a petition entered late): the next older ones
        return []
    return []


def _fts_rowids(conn: Connection, query: str, most: int) -> list[int]:
    """SQLite: the newest ``most`` rowids matching ``query`` (FTS5 streams them and stops)."""
    return list(conn.execute(text("SELECT rowid FROM search_petition WHERE search_petition MATCH :q"
                                  " ORDER BY rowid DESC LIMIT :most"), {"q": query, "most": most}).scalars())


def signer_candidates(conn: Connection, signer_ids: Sequence[UUID], start: date, end: date, *,
                      include_confidential: bool) -> list[Row]:
    """Petitions received in [start, end] signed by any of ``signer_ids`` (at most SIGNER_CAP).

    ``include_confidential`` False leaves out confidential petitions: matching them by their signer
    would reveal who signed them (services.visibility.signers_searchable).
    """
    if not signer_ids:
        return []
    ids = select(_signer.c.petition_id).where(_signer.c.citizen_id.in_(list(signer_ids)))
    conditions = [_petition.c.id.in_(ids), _petition.c.received_on.between(start, end)]
    if not include_confidential:
        conditions.append(_petition.c.confidential.is_(False))
    stmt = (select(*CANDIDATE_COLUMNS).where(*conditions)
            .order_by(_petition.c.received_on.desc()).limit(SIGNER_CAP))
    return list(conn.execute(stmt))


def signers_of(conn: Connection, petition_ids: Sequence[UUID]) -> dict[UUID, list[tuple[UUID, str]]]:
    """(citizen id, full name) of each petition's signers, in their order on the petition."""
    if not petition_ids:
        return {}
    rows = conn.execute(
        select(_signer.c.petition_id, _signer.c.citizen_id, _citizen.c.full_name)
        .join(_citizen, _citizen.c.id == _signer.c.citizen_id)
        .where(_signer.c.petition_id.in_(bindparam("ids", expanding=True)))
        .order_by(_signer.c.petition_id, _signer.c.ordinal, _citizen.c.name_key),
        {"ids": list(petition_ids)},
    )
    found: dict[UUID, list[tuple[UUID, str]]] = {}
    for petition_id, citizen_id, name in rows:
        found.setdefault(petition_id, []).append((citizen_id, name))
    return found


__all__ = [
    "CANDIDATE_CAP",
    "CANDIDATE_COLUMNS",
    "COUNT_CAP",
    "SAMPLE_SIZE",
    "Sample",
    "content_candidates",
    "GROUP_WORDS",
    "stages",
    "forget_sample",
    "pg_word_shares",
    "petition_rows",
    "signer_candidates",
    "signers_of",
    "sqlite_word_counts",
    "word_sample",
]

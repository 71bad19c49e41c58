"""The fast path of LineParser.parse (a function written out per record type) against its detailed
path: the same values, errors and warnings for any record, good or bad."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from reception_desk.services.interchange_format import DERIVED, SPECS, TYPES, FieldSpec, LineParser

TODAY = date(2026, 11, 23)


def _samples(f: FieldSpec) -> tuple[list[Any], list[Any]]:
    """Good and bad values of one field (absent and null are drawn separately)."""
    if f.kind == "text":
        limit = f.arg or 20
        return ["Lê Văn Ấn", "x" * limit], ["", "x" * (limit + 1), 5, ["a"], True]
    if f.kind == "enum":
        values = [m.value for m in f.arg] if isinstance(f.arg, type) else list(f.arg)
        return [values[0], values[-1]], ["khác", 3, [values[0]]]
    if f.kind == "date":
        return ["2024-05-06", "2024-02-29"], ["2023-02-29", "2024-5-6", 20240506, ["2024-05-06"]]
    if f.kind == "time":
        return ["08:30", "08:30:15"], ["25:00", "8:30", 830]
    if f.kind == "int":
        low, high = f.arg
        return [low, high, 5], [low - 1, high + 1, True, "3", 2.0]
    if f.kind == "bool":
        return [True, False], [1, 0, "true"]
    if f.kind == "ref":
        return ["C1", "C2"], ["", "x" * 101, 7, 1.5, ["C1"]]
    return [[], ["C1", "C2"], ["C2"]], [["C1", "C1"], ["C1", 2], [""], "C1", [7], ["x" * 101]]  # refs


_ABSENT = object()


@st.composite
def records(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A record of any type; in most, each value is good, absent or null, and one in eight bad."""
    spec = draw(st.sampled_from(TYPES))
    obj: dict[str, Any] = {"type": spec.name, "id": draw(st.sampled_from(["C1", "C2", 9]))}
    for f in spec.fields:
        good, bad = _samples(f)
        missing = [_ABSENT, None]
        if f.required:
            pool = good if draw(st.integers(0, 7)) else [*missing, *bad]
        else:
            pool = [*missing, *good] if draw(st.integers(0, 7)) else bad
        value = draw(st.sampled_from(pool))
        if value is not _ABSENT:
            obj[f.key] = value
    return spec.name, obj


def _parse(parser: LineParser, name: str, obj: dict[str, Any]) -> tuple[Any, list[Any], list[str]]:
    errors: list[tuple[int, str]] = []
    warnings: list[str] = []
    result = parser.parse(SPECS[name], obj, 7, errors, warnings, clean=True)
    return result, errors, warnings


def _detailed(dialect: Any) -> LineParser:
    parser = LineParser(dialect, TODAY)
    parser._fast = dict.fromkeys(SPECS, lambda _obj: None)  # every record takes the detailed path
    return parser


@pytest.mark.parametrize("dialect", [SQLiteDialect_pysqlite(), PGDialect_psycopg()], ids=["sqlite", "postgresql"])
def test_fast_path_gives_what_the_detailed_path_gives(dialect: Any) -> None:
    fast, detailed = LineParser(dialect, TODAY), _detailed(dialect)
    taken: dict[str, int] = dict.fromkeys(SPECS, 0)
    real_fast = dict(fast._fast)

    def counting(name: str) -> Any:
        def run(obj: dict[str, Any]) -> Any:
            out = real_fast[name](obj)
            taken[name] += out is not None
            return out
        return run

    fast._fast = {name: counting(name) for name in SPECS}

    @settings(max_examples=1500, deadline=None)
    @given(records())
    def check(record: tuple[str, dict[str, Any]]) -> None:
        name, obj = record
        expected = _parse(detailed, name, obj)
        # twice: the second time the dates of the first are known (the fast path needs them)
        assert _parse(fast, name, dict(obj)) == expected
        assert _parse(fast, name, dict(obj)) == expected

    check()
    # the comparison meant something: good records of every type did take the fast path
    assert all(taken.values()), taken


def test_fast_path_keeps_derived_values_and_null_defaults() -> None:
    parser = LineParser(SQLiteDialect_pysqlite(), TODAY)
    visit = {"type": "visit", "id": "V1", "date": "2024-05-06", "reception": "regular", "case_id": "K1",
             "persons": 6, "citizen_ids": ["C1", "C2"], "representative_ids": ["C1"]}
    parser.date("2024-05-06")
    values, lists = parser._fast["visit"](visit)  # type: ignore[misc]
    assert DERIVED in values and lists == [["C1", "C2"], ["C1"]]
    result, errors, warnings = _parse(parser, "visit", visit)
    assert errors == [] and warnings == [] and result is not None
    assert DERIVED not in result[0]  # the hook made the delegation flag: 6 persons
    citizen = {"type": "citizen", "id": "C1", "full_name": "Lê Văn Ấn", "id_type": None}
    values, _ = parser._fast["citizen"](citizen)  # type: ignore[misc]
    assert values[SPECS["citizen"].scalars.index(next(f for f in SPECS["citizen"].scalars if f.key == "id_type"))] is None

"""The example office: imported through the interchange format, its reports must equal the two
published JSON files (computed independently from the records), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reception_desk.cli import main
from reception_desk.services.interchange import import_jsonl
from reception_desk.services.statistics import period_report

PERIODS = [(date(2025, 3, 15), date(2025, 6, 14)), (date(2025, 1, 1), date(2025, 7, 19))]


def expected(examples_dir: Path, start: date, end: date) -> dict:
    path = examples_dir / f"report-{start.isoformat()}_{end.isoformat()}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_reports_equal_the_published_figures(engine: Engine, examples_dir: Path) -> None:
    import_jsonl(engine, examples_dir / "small-office.jsonl")
    for start, end in PERIODS:
        report = period_report(engine, start, end)
        assert report == expected(examples_dir, start, end), f"{start} → {end}"
        # same keys in the same order as the published files, not only equal as dicts
        assert json.dumps(report) == json.dumps(expected(examples_dir, start, end))


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_report_command_prints_the_published_json(db_url: str, examples_dir: Path, start: date, end: date,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "import", str(examples_dir / "small-office.jsonl")]) == 0
    capsys.readouterr()
    code = main(["--db", db_url, "report", "--from", start.isoformat(), "--to", end.isoformat(),
                 "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out) == expected(examples_dir, start, end)
    # the published layout: indent=1, Vietnamese-safe (no \\u escapes needed), same key order
    published = (examples_dir / f"report-{start.isoformat()}_{end.isoformat()}.json").read_text(encoding="utf-8")
    assert out.rstrip("\n") == published.rstrip("\n")

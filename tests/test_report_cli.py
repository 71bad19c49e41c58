"""``reception-desk report --full`` / file formats and ``reception-desk register``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from reception_desk.cli import main
from reception_desk.services import reports
from reception_desk.storage.engine import make_engine
from tests.builders import add_case, add_petition, add_visit


def _world(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            k = add_case(conn, kind="complaint")
            add_visit(conn, k, date(2025, 3, 15), persons=6)
            add_visit(conn, k, date(2024, 3, 20))
            add_petition(conn, date(2025, 6, 14), "feedback", channel="zalo")
    finally:
        engine.dispose()


def test_full_json_keeps_the_statistics_and_adds_the_forms(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _world(db_url)
    assert main(["--db", db_url, "report", "--period", "q2", "--year", "2025", "--format", "json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["--db", db_url, "report", "--period", "q2", "--year", "2025", "--full"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert list(full) == [*plain, "tcd", "xld", "narrative"]
    assert {key: full[key] for key in plain} == plain
    assert full["tcd"]["regular"]["delegations"]["count"] == {"value": 1, "previous_year": 0, "change": 1}
    assert full["xld"]["by_channel"]["zalo"]["value"] == 1
    assert full["narrative"]["period"] == "Quý II/2025"
    assert full["narrative"]["text"].startswith("a) Về công tác tiếp công dân thường xuyên\n- Quý II/2025, ")


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "docx"])
def test_file_format_without_a_writer_exits_2(sqlite_url: str, tmp_path: Path, fmt: str,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delitem(reports.EXPORTERS, fmt, raising=False)
    target = tmp_path / f"báo cáo.{fmt}"
    assert main(["--db", sqlite_url, "report", "--period", "q1", "--year", "2025", "--format", fmt,
                 "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Định dạng không được hỗ trợ trong bản này") and fmt.upper() in err
    assert not target.exists()


def test_file_format_goes_to_the_registered_writer(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _world(sqlite_url)
    seen: list[reports.OfficeReport] = []

    def writer(report: reports.OfficeReport, path: Path) -> None:
        seen.append(report)
        path.write_text(report.narrative.text, encoding="utf-8")

    monkeypatch.setitem(reports.EXPORTERS, "docx", writer)
    target = tmp_path / "q2.docx"
    assert main(["--db", sqlite_url, "report", "--from", "2025-03-15", "--to", "2025-06-14", "--format", "docx",
                 "--output", str(target)]) == 0
    assert seen[0].current["tcd.regular.visits"] == 1 and seen[0].period.name == "Quý II/2025"
    assert target.read_text(encoding="utf-8") == seen[0].narrative.text
    assert "Đã ghi báo cáo" in capsys.readouterr().err
    # a file format needs a file, and --full is for json
    assert main(["--db", sqlite_url, "report", "--period", "q2", "--format", "docx"]) == 2
    assert "cần tệp kết quả" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "report", "--period", "q2", "--format", "docx", "--full",
                 "--output", str(target)]) == 2
    assert "--full chỉ dùng với --format json" in capsys.readouterr().err


def test_register_command(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _world(db_url)
    target = tmp_path / "sổ.json"
    assert main(["--db", db_url, "register", "--from", "2025-03-01", "--to", "2025-03-31",
                 "--output", str(target)]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["columns"]["stt"] == "STT" and len(doc["columns"]) == 12
    assert [(r["stt"], r["ngay_tiep"], r["phan_loai"]) for r in doc["rows"]] == [
        ("1", "15/03/2025", "Khiếu nại; 06 người; đoàn đông người")]
    assert main(["--db", db_url, "register", "--from", "2025-03-31", "--to", "2025-03-01"]) == 2
    assert "trước ngày --from" in capsys.readouterr().err

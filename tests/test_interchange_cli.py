"""``reception-desk import`` / ``export``: output, exit codes, a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reception_desk.cli import main
from reception_desk.commands.interchange import progress_printer
from reception_desk.storage.engine import make_engine
from reception_desk.storage.models import Visit

ROOT = Path(__file__).resolve().parents[1]


def _visits(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Visit.__table__)).scalar_one()
    finally:
        engine.dispose()


def test_import_then_export(db_url: str, examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "import", str(examples_dir / "small-office.jsonl")]) == 0
    out, err = capsys.readouterr()
    assert "Đã nhập small-office.jsonl: 108 dòng." in out
    visit_line = next(line for line in out.splitlines() if line.startswith("visit (lượt tiếp)"))
    assert visit_line.split()[-3:] == ["40", "0", "0"]
    assert "Cảnh báo: line 25: citizen_ids" in err
    assert _visits(db_url) == 40

    target = tmp_path / "out.jsonl"
    assert main(["--db", db_url, "export", str(target)]) == 0
    out, _ = capsys.readouterr()
    assert f"Đã xuất 108 bản ghi ra {target}." in out
    assert len(target.read_text(encoding="utf-8").splitlines()) == 108

    assert main(["--db", db_url, "import", str(target)]) == 0
    out, _ = capsys.readouterr()
    assert "Không có gì thay đổi" in out


def test_bad_file_exits_2_and_lists_every_error(sqlite_url: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"type": "case", "id": "K1", "title": "Vụ việc", "kind": "complaint"},
        {"type": "petition", "id": "P1", "received_on": "2025-13-01", "channel": "post", "kind": "complaint"},
        {"type": "visit", "id": "V1", "date": "2025-01-02", "reception": "regular", "case_id": "K2"},
    ]) + "\n", encoding="utf-8")
    assert main(["--db", sqlite_url, "import", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("Lỗi: Tệp bad.jsonl có 2 lỗi; chưa ghi gì")
    assert lines[1:] == [
        "line 2: received_on: ngày không hợp lệ “2025-13-01” (định dạng YYYY-MM-DD)",
        "line 3: case_id: không tìm thấy vụ việc “K2” (trong tệp hoặc cơ sở dữ liệu)",
    ]
    assert _visits(sqlite_url) == 0


def test_missing_file(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "import", str(tmp_path / "none.jsonl")]) == 1
    assert "Không tìm thấy tệp" in capsys.readouterr().err


def test_progress_printer_waits_a_second_then_prints(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 100.2, 101.5, 101.6, 103.0])
    monkeypatch.setattr("reception_desk.commands.interchange.monotonic", lambda: next(clock))
    show = progress_printer("Đang nhập", "dòng")  # start = 100.0
    show(10, 1_200_000)  # too early
    show(540_000, 1_200_000)
    show(600_000, 1_200_000)  # within the second
    show(1_200_000, 1_200_000)
    err = capsys.readouterr().err.splitlines()
    assert err == ["Đang nhập: 45% (540000/1200000 dòng)", "Đang nhập: 100% (1200000/1200000 dòng)"]


def test_real_subprocess(tmp_path: Path, examples_dir: Path) -> None:
    db = tmp_path / "desk.sqlite"
    script = ROOT / ".venv" / "bin" / "reception-desk"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "reception_desk"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([*command, "--db", str(db), "import", str(examples_dir / "small-office.jsonl")],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Tổng" in done.stdout
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "reception_desk", "--db", str(db), "export", str(out)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["type"] == "agency" and first["id"] == "A1"

"""``reception-desk letter …`` through cli.main, on both databases: the example office imported,
the letterhead set, then letters issued, printed, listed and voided from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from sqlalchemy import create_engine, select

from reception_desk.cli import main
from reception_desk.services.settings import OfficeSettings, save_office_settings
from reception_desk.storage.models import IssuedDocument, Transfer


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def pdf_pages(path: Path) -> list[str]:
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def large_chars(path: Path) -> str:
    """The big characters of page 1 in drawing order (the void mark is drawn large and turned)."""
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        return "".join(c["text"] for c in pdf.pages[0].chars if c["size"] > 40)


@pytest.fixture
def office_db(db_url: str, examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(capsys, "--db", db_url, "import", str(examples_dir / "small-office.jsonl"))[0] == 0
    engine = create_engine(db_url)
    try:
        save_office_settings(engine, OfficeSettings(
            office_name="Ban Tiếp công dân tỉnh Hà Tĩnh", superior_body="Ủy ban nhân dân tỉnh Hà Tĩnh",
            office_symbol="BTCD", place_name="Hà Tĩnh", signer_name="Trần Văn Bình",
            signer_title="Phó Trưởng ban", signer_on_behalf="KT. Trưởng ban"), actor="test")
    finally:
        engine.dispose()
    return db_url


def documents(db_url: str) -> list:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            t = IssuedDocument.__table__
            return conn.execute(select(t).order_by(t.c.series, t.c.number)).all()
    finally:
        engine.dispose()


@pytest.mark.pg
def test_transfer_letter_is_issued_once_and_printed(office_db: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "T1.pdf"
    code, _, err = run(capsys, "--db", office_db, "letter", "transfer", "T1", "--output", str(out))
    assert code == 0, err
    assert "Phiếu chuyển đơn số 01/PC-BTCD ngày 03/04/2025" in err
    [page] = pdf_pages(out)
    assert "PHIẾU CHUYỂN ĐƠN" in page and "Số: 01/PC-BTCD" in page
    assert "Hà Tĩnh, ngày 03 tháng 4 năm 2025" in page
    # Printing again gives the same letter, not a new number.
    again = tmp_path / "again.docx"
    code, _, err = run(capsys, "--db", office_db, "letter", "transfer", "T1", "--output", str(again))
    assert code == 0 and "01/PC-BTCD" in err
    text = "\n".join(p.text for p in Document(str(again)).paragraphs)
    assert "PHIẾU CHUYỂN ĐƠN" in text
    assert [d.symbol for d in documents(office_db)] == ["01/PC-BTCD"]
    # The transfer now carries the letter's number.
    engine = create_engine(office_db)
    with engine.connect() as conn:
        t = Transfer.__table__
        assert conn.execute(select(t.c.number).where(t.c.external_id == "T1")).scalar_one() == "01/PC-BTCD"
    engine.dispose()


@pytest.mark.pg
def test_batch_issues_missing_letters_then_prints_the_period(office_db: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "batch.pdf"
    code, _, err = run(capsys, "--db", office_db, "letter", "batch", "--from", "2025-01-01", "--to", "2025-12-31",
                       "--output", str(out))
    assert code == 1 and "Không có phiếu chuyển đơn nào" in err and not out.exists()
    code, _, err = run(capsys, "--db", office_db, "letter", "batch", "--from", "2025-01-01", "--to", "2025-12-31",
                       "--issue-missing", "--output", str(out))
    assert code == 0, err
    issued = documents(office_db)
    assert issued, "the example office has transfers without a number"
    assert [d.number for d in issued] == list(range(1, len(issued) + 1))
    pages = pdf_pages(out)
    # Each letter starts on its own page, in number order.
    firsts = [p for p in pages if "PHIẾU CHUYỂN ĐƠN" in p]
    assert len(firsts) == len(issued)
    assert all(f"Số: {d.symbol}" in page for page, d in zip(firsts, issued, strict=True))
    # Issuing the missing ones again finds none.
    code, _, err = run(capsys, "--db", office_db, "letter", "batch", "--from", "2025-01-01", "--to", "2025-12-31",
                       "--issue-missing", "--output", str(out))
    assert code == 0 and "Đã phát hành 0 phiếu" in err
    assert len(documents(office_db)) == len(issued)


@pytest.mark.pg
def test_list_show_and_void(office_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", office_db, "letter", "transfer", "T2", "--output", str(tmp_path / "a.pdf"))[0] == 0
    assert run(capsys, "--db", office_db, "letter", "transfer", "T3", "--output", str(tmp_path / "b.pdf"))[0] == 0
    code, out, _ = run(capsys, "--db", office_db, "letter", "list")
    lines = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and {fields[0] for fields in lines} == {"01/PC-BTCD", "02/PC-BTCD"}
    assert all(fields[3] == "còn hiệu lực" for fields in lines)

    code, _, err = run(capsys, "--db", office_db, "letter", "void", "01/PC-BTCD", "--reason", "Ghi nhầm cơ quan nhận")
    assert code == 0 and "Đã hủy phiếu chuyển đơn số 01/PC-BTCD" in err
    code, out, _ = run(capsys, "--db", office_db, "letter", "list", "--status", "void")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["01/PC-BTCD"]
    # Voiding twice is refused; the number is kept.
    code, _, err = run(capsys, "--db", office_db, "letter", "void", "01/PC-BTCD", "--reason", "Lần nữa")
    assert code == 2 and "đã bị hủy trước đó" in err

    shown = tmp_path / "void.pdf"
    code, _, err = run(capsys, "--db", office_db, "letter", "show", "01/PC-BTCD", "--year", "2025",
                       "--output", str(shown))
    assert code == 0 and "(đã hủy)" in err
    assert large_chars(shown) == "ĐÃ HỦY"
    assert large_chars(tmp_path / "b.pdf") == ""  # the letter in force has no mark


NOT_FOUND = 4  # services.errors.NotFoundError


@pytest.mark.parametrize(
    ("argv", "exit_code", "message"),
    [
        (["letter", "transfer", "KHÔNG-CÓ", "--output", "x.pdf"], NOT_FOUND, "Không tìm thấy lần chuyển đơn"),
        (["letter", "transfer", "T1", "--output", "x.odt", "--format", "odt"], 2, "Định dạng không được hỗ trợ"),
        (["letter", "batch", "--from", "2025-12-31", "--to", "2025-01-01", "--output", "x.pdf"], 2,
         "trước ngày --from"),
        (["letter", "batch", "--from", "2025-01-01", "--to", "2025-12-31", "--kind", "memo", "--output", "x.pdf"], 2,
         "Loại văn bản không hợp lệ"),
        (["letter", "show", "99/PC-BTCD", "--output", "x.pdf"], NOT_FOUND, "Không tìm thấy văn bản"),
        (["letter", "void", "99/PC-BTCD", "--reason", "x"], NOT_FOUND, "Không tìm thấy văn bản"),
        (["letter", "list", "--status", "cancelled"], 2, "Tình trạng không hợp lệ"),
    ],
)
def test_bad_input_exits_with_a_vietnamese_message(office_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch, argv: list[str], exit_code: int,
                                                   message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", office_db, *argv)
    assert code == exit_code and message in err
    assert not list(tmp_path.glob("x.*"))


def test_missing_letterhead_says_where_to_fill_it(db_url: str, examples_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db_url, "import", str(examples_dir / "small-office.jsonl"))[0] == 0
    out = tmp_path / "T1.pdf"
    code, _, err = run(capsys, "--db", db_url, "letter", "transfer", "T1", "--output", str(out))
    assert code == 2 and "Cài đặt" in err and not out.exists()
    assert documents(db_url) == []

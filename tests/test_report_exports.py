"""The office report's files (PDF, XLSX, DOCX) and the Mẫu 03 register PDF, on SQLite and PostgreSQL.

Every file is read back (pdfplumber, openpyxl, python-docx) and compared with the report's own
figures and with the JSON of ``report --full``; formulas are evaluated here by adding up the cells
they name (openpyxl does not compute).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine, update

from reception_desk.cli import main
from reception_desk.domain.report_forms import TCD_COLUMNS, XLD_COLUMNS, FormColumn
from reception_desk.services import files, report_exports, report_pdf
from reception_desk.services.errors import UserError
from reception_desk.services.register import register_page
from reception_desk.services.report_exports import (
    atomic_write,
    column_sums,
    header_cells,
    header_depth,
    row_labels,
    signed_number,
    table_number,
)
from reception_desk.services.report_xlsx import FIGURES_SHEET, FORM_HEADER_ROW, NARRATIVE_SHEET, form_cells
from reception_desk.services.reports import EXPORTERS, OfficeReport, export_report, office_report, report_json
from reception_desk.services.settings import OfficeSettings
from reception_desk.storage.models import Petition
from tests.builders import add_agency, add_case, add_citizen, add_petition, add_transfer, add_visit

Q2 = (date(2025, 3, 15), date(2025, 6, 14))
OFFICE = OfficeSettings(office_name="BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH", superior_body="ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH",
                        office_symbol="BTCD", place_name="Hà Tĩnh", signer_name="Nguyễn Văn Bình",
                        signer_title="PHÓ TRƯỞNG BAN", signer_on_behalf="KT. TRƯỞNG BAN")
ISSUED = date(2025, 6, 20)
MM = 72 / 25.4


def build_world(engine: Engine) -> None:
    """Q2/2025 (15/03 – 14/06): 7 visits of 22 persons (regular 4, head 2, deputy 1), records on the
    first and the last day, one the day after; petitions handled three ways, one transfer answered."""
    with engine.begin() as conn:
        an = add_citizen(conn, "Nguyễn Văn An", id_number="042190000222", address="Xã Thạch Hà")
        agency = add_agency(conn, "UBND phường Tân Lợi")
        a = add_case(conn, kind="complaint", title="Tranh chấp ranh đất", field="Đất đai")
        b = add_case(conn, kind="denunciation", title="Tố cáo cán bộ địa chính", field="Đất đai")
        c = add_case(conn, kind="recommendation", title="Kiến nghị làm đường")
        d = add_case(conn, kind="feedback", title="Phản ánh ô nhiễm", field="Môi trường")
        add_visit(conn, a, date(2025, 3, 15), persons=2, citizen_ids=[an])
        add_visit(conn, a, date(2025, 6, 14))
        add_visit(conn, b, date(2024, 4, 1))
        add_visit(conn, b, date(2025, 4, 2))
        add_visit(conn, c, date(2024, 5, 5), persons=6)
        add_visit(conn, c, date(2025, 5, 5), persons=12)
        add_visit(conn, d, date(2025, 4, 10), "leader_scheduled", persons=3)
        add_visit(conn, a, date(2025, 5, 20), "leader_adhoc")
        add_visit(conn, c, date(2025, 6, 1), "authorised_deputy", persons=2)
        add_visit(conn, d, date(2025, 6, 15))
        p1 = add_petition(conn, date(2025, 3, 15), "complaint", channel="post", case_id=a)
        p2 = add_petition(conn, date(2025, 4, 1), "denunciation", channel="in_person", case_id=b)
        p3 = add_petition(conn, date(2025, 6, 14), "feedback", channel="email")
        add_petition(conn, date(2024, 4, 10), "complaint", channel="post")
        table = Petition.__table__
        for pid, eligible, handling in ((p1, True, "accept"), (p2, True, "transfer"), (p3, False, "guide")):
            conn.execute(update(table).where(table.c.id == pid).values(eligible=eligible, handling=handling))
        add_transfer(conn, p2, agency, date(2025, 4, 3), number="12/PC-BTCD", due_on=date(2025, 5, 3),
                     answered_on=date(2025, 5, 1))


@pytest.fixture
def report(engine: Engine) -> OfficeReport:
    build_world(engine)
    return office_report(engine, *Q2, office=OFFICE)


def _squash(text: str) -> str:
    return "".join(text.split())


def _json_value(doc: dict[str, Any], key: str, field: str) -> int:
    node: Any = doc
    for part in key.split("."):
        node = node[part]
    return node[field]


def _column_json(doc: dict[str, Any], column: FormColumn, field: str) -> int:
    return sum(_json_value(doc, key, field) for key in column.keys)


# --- layout helpers (pure) -------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [TCD_COLUMNS, XLD_COLUMNS], ids=["01/TCD", "01/XLD"])
def test_header_cells_cover_the_header_block_once(columns: tuple[FormColumn, ...]) -> None:
    depth = header_depth(columns)
    seen: dict[tuple[int, int], str] = {}
    for cell in header_cells(columns):
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.col, cell.col + cell.cols):
                assert (r, c) not in seen
                seen[(r, c)] = cell.text
    assert set(seen) == {(r, c) for r in range(depth) for c in range(len(columns))}
    for c, column in enumerate(columns):  # reading down a column gives its header path, its last cell merged down
        path = [seen[(r, c)] for r in range(depth)]
        assert path == [*column.headers, *[column.headers[-1]] * (depth - len(column.headers))]


def test_header_cells_of_01tcd() -> None:
    cells = {(c.row, c.col): c for c in header_cells(TCD_COLUMNS)}
    regular = cells[(0, 3)]
    assert (regular.text, regular.cols, regular.rows) == ("Tiếp thường xuyên", 8, 1)
    leaders = cells[(0, 11)]
    assert (leaders.text, leaders.cols) == ("Tiếp định kỳ và đột xuất", 18)
    total = cells[(0, 0)]
    assert (total.text, total.rows, total.cols) == ("Tổng số lượt tiếp", header_depth(TCD_COLUMNS), 1)


def test_column_sums_are_the_forms_totals() -> None:
    assert column_sums(TCD_COLUMNS) == {1: (4, 13, 22), 2: (5, 14, 23), 3: (6, 7, 15, 16, 24, 25)}
    assert column_sums(XLD_COLUMNS) == {}


def test_numbers_as_forms_print_them() -> None:
    assert [table_number(n) for n in (0, 7, 1204, 1000000)] == ["0", "7", "1.204", "1.000.000"]
    assert [signed_number(n) for n in (5, -1204, 0)] == ["+5", "\u22121.204", "0"]


def test_writers_are_registered_on_import() -> None:
    EXPORTERS.clear()
    report_exports.register_writers()
    assert set(EXPORTERS) == {"pdf", "xlsx", "docx"}


# --- PDF -------------------------------------------------------------------------------------------


def test_report_pdf(report: OfficeReport, tmp_path: Path) -> None:
    path = tmp_path / "báo cáo.pdf"
    report_pdf.write_report_pdf(report, path, issued_on=ISSUED)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # TrueType fonts embedded
    with pdfplumber.open(path) as pdf:
        pages = pdf.pages
        assert len(pages) == 4
        assert [(round(p.width), round(p.height)) for p in pages] == [(595, 842), (595, 842), (842, 595), (842, 595)]
        # the text below the top margin (page numbers would fall inside a paragraph running on)
        text = "\n".join(p.filter(lambda obj: obj.get("top", 99) > 20 * MM - 1).extract_text() for p in pages)
        fonts = {ch["fontname"].split("+")[-1] for p in pages for ch in p.chars}
        assert fonts and all(re.match(r"(TimesNewRoman|LiberationSerif)", f) for f in fonts)
        # margins (NĐ 30/2020): portrait left 30, right 15, top/bottom 20 mm; landscape 20/15/20/15 mm
        for page in pages:
            body = [ch for ch in page.chars if ch["top"] > 20 * MM - 1]  # the page number sits in the top margin
            left, right, bottom = (30, 15, 20) if page.width < page.height else (20, 15, 15)
            assert min(ch["x0"] for ch in body) >= left * MM - 1
            assert max(ch["x1"] for ch in body) <= page.width - right * MM + 1
            assert max(ch["bottom"] for ch in body) <= page.height - bottom * MM + 1
        assert not [ch for ch in pages[0].chars if ch["top"] < 20 * MM - 1]  # no number on page 1
        for n, page in enumerate(pages[1:], start=2):
            top = [w for w in page.extract_words() if w["top"] < 20 * MM]
            assert [w["text"] for w in top] == [str(n)]
            assert abs((top[0]["x0"] + top[0]["x1"]) / 2 - page.width / 2) < 2
        tcd_rows = pages[2].extract_tables()[0][-3:]
        xld_rows = pages[3].extract_tables()[0][-3:]
    squashed = _squash(text)
    for needle in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: /BC-BTCD",
                   "Hà Tĩnh, ngày …… tháng 6 năm 2025", "BÁO CÁO", "Quý II/2025", report.period.label,
                   "Số liệu tính từ ngày 15/03/2025 đến ngày 14/06/2025", "Biểu số: 01/TCD", "Biểu số: 01/XLD",
                   "Tiếp thường xuyên", "Thủ trưởng tiếp", "Ủy quyền tiếp", "Trong đó đoàn đông người",
                   "Đủ điều kiện xử lý", "Kết quả xử lý", "Cùng kỳ năm trước", "KT. TRƯỞNG BAN", "Nguyễn Văn Bình",
                   "NGƯỜI LẬP BIỂU", "Nơi nhận:"):
        assert _squash(needle) in squashed, needle
    for section in report.narrative.sections:
        assert _squash(section.title) in squashed
        for paragraph in section.paragraphs:
            assert _squash(paragraph) in squashed
    first_sentence = report.narrative.sections[0].paragraphs[0].split(";")[0]
    assert first_sentence.startswith("- Quý II/2025, Ban Tiếp công dân tỉnh Hà Tĩnh đã tổ chức tiếp tổng số là: 04")
    # the forms' rows: this period, the year before, the change
    for rows, columns in ((tcd_rows, TCD_COLUMNS), (xld_rows, XLD_COLUMNS)):
        current = [report.column_value(c) for c in columns]
        previous = [report.column_value(c, previous=True) for c in columns]
        assert [_squash(x) for x in rows[0][1:]] == [table_number(n) for n in current]
        assert [_squash(x) for x in rows[1][1:]] == [table_number(n) for n in previous]
        assert [_squash(x) for x in rows[2][1:]] == [signed_number(a - b) for a, b in zip(current, previous,
                                                                                          strict=True)]
        assert _squash(rows[1][0]) == _squash(row_labels(report)[1])
    assert tcd_rows[0][1:4] == ["7", "22", "6"]  # visits 4 + 2 + 1; persons 16 + 4 + 2; cases 3 + 2 + 1


def test_report_pdf_figures_shrink_to_fit_a_large_office(report: OfficeReport, tmp_path: Path) -> None:
    big = {key: value * 123_457 + 1_000_000 for key, value in report.current.items()}
    large = OfficeReport(report.period, report.previous_period, big, report.previous, report.field_labels,
                         report.statistics, report.narrative, report.office)
    path = tmp_path / "large.pdf"
    report_pdf.write_report_pdf(large, path, issued_on=ISSUED)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[2]
        row = page.extract_tables()[0][-3]
        assert max(ch["x1"] for ch in page.chars) <= page.width - 15 * MM + 1
    assert [_squash(x) for x in row[1:]] == [table_number(large.column_value(c)) for c in TCD_COLUMNS]


# --- XLSX ------------------------------------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def _evaluate(ws: Any, value: Any) -> int:
    """A cell's number: a literal, or "=SUM(A1,B1,…)" / "=A1-B1" computed from the named cells."""
    if not isinstance(value, str):
        assert isinstance(value, int), value
        return value
    sum_match = re.fullmatch(r"=SUM\(([A-Z0-9,]+)\)", value)
    if sum_match:
        return sum(_evaluate(ws, ws[ref].value) for ref in sum_match.group(1).split(","))
    diff = re.fullmatch(r"=([A-Z]+\d+)-([A-Z]+\d+)", value)
    assert diff, f"unexpected formula {value!r}"
    return _evaluate(ws, ws[diff.group(1)].value) - _evaluate(ws, ws[diff.group(2)].value)


def test_report_xlsx(report: OfficeReport, tmp_path: Path) -> None:
    path = tmp_path / "báo cáo.xlsx"
    export_report(report, "xlsx", path)
    doc = report_json(report)
    wb = load_workbook(path)
    assert wb.sheetnames == ["01-TCD", "01-XLD", NARRATIVE_SHEET, FIGURES_SHEET]
    for sheet, columns in (("01-TCD", TCD_COLUMNS), ("01-XLD", XLD_COLUMNS)):
        ws = wb[sheet]
        where = form_cells(columns, FORM_HEADER_ROW)
        letters = where["letters"]
        sums = column_sums(columns)
        for column in columns:
            cur = ws[f"{letters[column.number]}{where['current']}"].value
            prev = ws[f"{letters[column.number]}{where['previous']}"].value
            change = ws[f"{letters[column.number]}{where['change']}"].value
            if column.number in sums:  # a total of the form is a formula over its columns
                expected = "=SUM(" + ",".join(f"{letters[n]}{where['current']}" for n in sums[column.number]) + ")"
                assert cur == expected
            else:
                assert type(cur) is int and type(prev) is int  # numbers, not text
            assert change == f"={letters[column.number]}{where['current']}-{letters[column.number]}{where['previous']}"
            assert _evaluate(ws, cur) == _column_json(doc, column, "value") == report.column_value(column)
            assert _evaluate(ws, prev) == _column_json(doc, column, "previous_year")
            assert _evaluate(ws, change) == _column_json(doc, column, "change")
        assert ws.cell(row=FORM_HEADER_ROW + header_depth(columns), column=2).value == columns[0].number
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.freeze_panes == f"B{where['current']}"
        assert ws["A2"].font.name == "Times New Roman"
        assert ws[f"B{where['current']}"].number_format == "#,##0"
    tcd = wb["01-TCD"]
    merged = {str(r) for r in tcd.merged_cells.ranges}
    assert f"E{FORM_HEADER_ROW}:L{FORM_HEADER_ROW}" in merged  # "Tiếp thường xuyên" over columns 4–11
    assert tcd[f"E{FORM_HEADER_ROW}"].value == "Tiếp thường xuyên"
    assert f"A{FORM_HEADER_ROW}:A{FORM_HEADER_ROW + header_depth(TCD_COLUMNS) - 1}" in merged
    assert _evaluate(tcd, tcd[f"B{form_cells(TCD_COLUMNS, FORM_HEADER_ROW)['current']}"].value) == 7

    figures = wb[FIGURES_SHEET]
    keys = []
    for row in figures.iter_rows(min_row=2):
        key, _label, _unit, value, previous, change = (c.value for c in row)
        keys.append(key)
        assert value == _json_value(doc, key, "value") and previous == _json_value(doc, key, "previous_year")
        assert _evaluate(figures, change) == _json_value(doc, key, "change")
    assert keys == [f.key for f in report.figures()]
    assert "tcd.by_field.dat_dai" in keys

    story = [c.value for c in wb[NARRATIVE_SHEET]["A"]]
    expected = [text for section in report.narrative.sections for text in (section.title, *section.paragraphs)]
    start = story.index(expected[0])
    assert story[start:start + len(expected)] == expected


# --- DOCX ------------------------------------------------------------------------------------------


def test_report_docx(report: OfficeReport, tmp_path: Path) -> None:
    path = tmp_path / "báo cáo.docx"
    export_report(report, "docx", path)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    expected = [text for section in report.narrative.sections for text in (section.title, *section.paragraphs)]
    start = texts.index(expected[0])
    assert texts[start:start + len(expected)] == expected
    body = doc.paragraphs[start + 1]
    assert body.alignment == 3  # justified
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(1.27 / 2.54 * 72, abs=0.1)
    assert all(run.font.name == "Times New Roman" and run.font.size.pt == 14 for run in body.runs)
    assert doc.paragraphs[start].runs[0].font.bold  # section titles in bold
    portrait, landscape = doc.sections
    assert (round(portrait.page_width.mm), round(portrait.page_height.mm)) == (210, 297)
    assert (round(portrait.left_margin.mm), round(portrait.right_margin.mm)) == (30, 15)
    assert (round(landscape.page_width.mm), round(landscape.page_height.mm)) == (297, 210)
    assert portrait.different_first_page_header_footer  # page numbers from page 2 on
    letterhead = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in letterhead[1] and "BAN TIẾP CÔNG DÂN" in letterhead[0]
    assert "BÁO CÁO" in texts and f"Kết quả công tác tiếp công dân, tiếp nhận và xử lý đơn {report.period.name}" in texts
    forms = [t for t in doc.tables if t.rows[0].cells[0].text == "Nội dung"]
    assert len(forms) == 2
    for table, columns in zip(forms, (TCD_COLUMNS, XLD_COLUMNS), strict=True):
        last = [[c.text for c in row.cells] for row in table.rows[-3:]]
        current = [report.column_value(c) for c in columns]
        previous = [report.column_value(c, previous=True) for c in columns]
        assert last[0][1:] == [table_number(n) for n in current]
        assert last[1][1:] == [table_number(n) for n in previous]
        assert last[2][1:] == [signed_number(a - b) for a, b in zip(current, previous, strict=True)]
        number_row = [c.text for c in table.rows[-4].cells]
        assert number_row == ["A", *[str(c.number) for c in columns]]
    # merged header: "Tiếp thường xuyên" spans the eight columns 4–11
    first_row = forms[0].rows[0].cells
    assert [c.text for c in first_row[4:12]] == ["Tiếp thường xuyên"] * 8


# --- CLI and file writing -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "docx"])
def test_cli_writes_each_format(db_url: str, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    from reception_desk.storage.engine import make_engine

    engine = make_engine(db_url)
    try:
        build_world(engine)
    finally:
        engine.dispose()
    target = tmp_path / f"quý 2.{fmt}"
    assert main(["--db", db_url, "report", "--period", "q2", "--year", "2025", "--format", fmt,
                 "--output", str(target)]) == 0
    assert "Đã ghi báo cáo" in capsys.readouterr().err
    magic = {"pdf": b"%PDF", "xlsx": b"PK", "docx": b"PK"}[fmt]
    assert target.read_bytes().startswith(magic)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report-")]
    if fmt == "xlsx":
        ws = load_workbook(target)["01-TCD"]
        assert ws[f"E{form_cells(TCD_COLUMNS, FORM_HEADER_ROW)['current']}"].value == 4  # regular visits
    # an unwritable place: a Vietnamese message, exit 1, nothing written
    missing = tmp_path / "không có" / f"x.{fmt}"
    assert main(["--db", db_url, "report", "--period", "q2", "--year", "2025", "--format", fmt,
                 "--output", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Không ghi được tệp") and "không tồn tại" in err
    assert main(["--db", db_url, "report", "--period", "q2", "--year", "2025", "--format", fmt,
                 "--output", str(tmp_path)]) == 1
    assert "đây là một thư mục" in capsys.readouterr().err


def test_atomic_write_keeps_the_old_file_when_replacing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "bc.pdf"
    target.write_bytes(b"old")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(UserError, match="Không ghi được tệp"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bc.pdf"]
    monkeypatch.undo()
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"


# --- the register (Mẫu 03) ------------------------------------------------------------------------------

VISITS = 45
LONG = ("Công dân trình bày việc tranh chấp ranh giới thửa đất số 125, tờ bản đồ số 7 với hộ liền kề, đề nghị "
        "cơ quan có thẩm quyền xem xét, đo đạc lại và giải quyết dứt điểm theo quy định của pháp luật")


def _register_world(engine: Engine) -> None:
    with engine.begin() as conn:
        for n in range(VISITS):
            citizen = add_citizen(conn, f"Trần Văn Số {n + 1}", id_number=f"0421900{n:05d}",
                                  address=f"Thôn {n + 1}, xã Thạch Hà, tỉnh Hà Tĩnh")
            case = add_case(conn, kind="complaint" if n % 3 else "recommendation", title=f"Vụ việc {n + 1}")
            add_visit(conn, case, date(2025, 1, 1 + n % 28), citizen_ids=[citizen], content=f"{LONG} ({n + 1}).")


def test_register_pdf_pages(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _register_world(engine)
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("limit", 0))
        return register_page(*args, **kwargs)

    monkeypatch.setattr(report_pdf, "register_page", counting)
    monkeypatch.setattr(report_pdf, "REGISTER_BATCH", 10)  # read page by page, never all rows at once
    path = tmp_path / "sổ.pdf"
    assert report_pdf.register_pdf(engine, date(2025, 1, 1), date(2025, 1, 31), path, office=OFFICE) == VISITS
    assert calls == [10] * 5
    with pdfplumber.open(path) as pdf:
        pages = pdf.pages
        assert len(pages) >= 4
        numbers: list[int] = []
        for n, page in enumerate(pages, start=1):
            assert (round(page.width), round(page.height)) == (842, 595)
            top = [w["text"] for w in page.extract_words() if w["top"] < 20 * MM]
            assert top == ([] if n == 1 else [str(n)])
            table = page.extract_tables()[0]
            header_rows = next(i for i, row in enumerate(table) if row[0] == "(1)") + 1
            assert table[header_rows - 1] == [f"({i})" for i in range(1, 13)]
            # the form's headers on every page, "Hướng xử lý" over columns 8–10
            assert [_squash(x) if x else x for x in table[0]][:8] == ["STT", "Ngàytiếp", "Họtên-Địachỉ",
                                                                       "CMND/Hộchiếucủacôngdân", "Nộidungvụviệc",
                                                                       "Phânloạiđơn/Sốngười", "Cơquanđãgiảiquyết",
                                                                       "Hướngxửlý"]
            assert [_squash(x) for x in table[1][7:10]] == ["Thụlýđểgiảiquyết", "Trảlạiđơnvàhướngdẫn",
                                                            "Chuyểnđơnđếncơquan,tổchức,đơnvịcóthẩmquyền"]
            numbers += [int(row[0]) for row in table[header_rows:] if row[0] and row[0].isdigit()]
            assert max(ch["x1"] for ch in page.chars) <= page.width - 15 * MM + 1
            assert min(ch["x0"] for ch in page.chars) >= 20 * MM - 1
        assert numbers == list(range(1, VISITS + 1))
        first, last = _squash(pages[0].extract_text()), _squash(pages[-1].extract_text())
    assert "SỔTIẾPCÔNGDÂN" in first and "Mẫusố03" in first and "SỔTIẾPCÔNGDÂN" not in last
    assert _squash(f"Tổng số: {VISITS} lượt tiếp công dân.") in last


def test_register_pdf_from_rows_and_cli(engine: Engine, db_url: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _register_world(engine)
    rows = register_page(engine, date(2025, 1, 1), date(2025, 1, 3), limit=50).rows
    path = tmp_path / "sổ.pdf"
    assert report_pdf.register_pdf(rows, date(2025, 1, 1), date(2025, 1, 3), path, office=OFFICE) == len(rows) > 0
    with pdfplumber.open(path) as pdf:
        text = _squash("".join(p.extract_text() for p in pdf.pages))
        printed = [[_squash(x or "") for x in row] for p in pdf.pages for row in p.extract_tables()[0]]
    assert "SỔTIẾPCÔNGDÂN" in text and "Từngày01/01/2025đếnngày03/01/2025" in text
    assert "BANTIẾPCÔNGDÂNTỈNHHÀTĨNH" in text
    body = [row for row in printed if row[0].isdigit()]  # rows are not split across pages
    assert body == [[_squash(cell) for cell in row.cells()] for row in rows]  # every cell as register_page gives it
    empty = tmp_path / "trống.pdf"
    assert report_pdf.register_pdf([], date(2025, 2, 1), date(2025, 2, 2), empty) == 0
    with pdfplumber.open(empty) as pdf:
        assert "Khôngcólượttiếp" in _squash(pdf.pages[0].extract_text())
    target = tmp_path / "sổ-cli.pdf"
    assert main(["--db", db_url, "register", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "pdf",
                 "--output", str(target)]) == 0
    assert f"({VISITS} lượt tiếp)" in capsys.readouterr().err and target.read_bytes().startswith(b"%PDF")
    assert main(["--db", db_url, "register", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "pdf"]) == 2
    assert "cần tệp kết quả" in capsys.readouterr().err
    assert main(["--db", db_url, "register", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "odt"]) == 2
    assert "Định dạng không được hỗ trợ" in capsys.readouterr().err


def test_register_pdf_splits_only_a_row_taller_than_a_page(engine: Engine, tmp_path: Path) -> None:
    _register_world(engine)
    rows = register_page(engine, date(2025, 1, 1), date(2025, 1, 2), limit=50).rows
    huge = " ".join(f"đoạn{n}" for n in range(1500))
    rows = [rows[0], dataclasses.replace(rows[1], content=huge), *rows[2:]]
    path = tmp_path / "sổ.pdf"
    assert report_pdf.register_pdf(rows, date(2025, 1, 1), date(2025, 1, 2), path) == len(rows)
    with pdfplumber.open(path) as pdf:
        printed = [[x or "" for x in row] for p in pdf.pages for row in p.extract_tables()[0]]
        pages = len(pdf.pages)
    assert pages >= 3
    body = [row for row in printed if row[0] != "STT" and not row[0].startswith("(")]
    numbers = [row[0] for row in body if row[0]]
    assert numbers == [str(r.number) for r in rows]
    second = next(i for i, row in enumerate(body) if row[0] == "2")
    pieces = [body[second][4]] + [row[4] for row in body[second + 1:] if not row[0]]
    assert _squash("".join(pieces)) == _squash(huge)  # the row went on over the next pages, nothing lost

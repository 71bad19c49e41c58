"""The agency directory (services.directory) and its CSV/XLSX import, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from reception_desk.cli import main
from reception_desk.services import directory
from reception_desk.services.directory import AgencyInput
from reception_desk.services.errors import Cancelled, ConflictError, ValidationError
from reception_desk.storage.models import Agency
from tests.builders import add_agency, add_case, add_petition, add_transfer

pytestmark = pytest.mark.pg


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Agency.__table__)).scalar() or 0)


def _by_name(engine: Engine) -> dict[str, directory.AgencyRow]:
    return {a.name: a for a in directory.list_agencies(engine, include_inactive=True)}


def test_create_search_and_update(engine: Engine) -> None:
    province = directory.create_agency(engine, AgencyInput(name="Ủy ban nhân dân tỉnh Hà Tĩnh", level="province",
                                                           short_code="ubnd"))
    assert province.short_code == "UBND" and province.level_label == "Cấp tỉnh"
    commune = directory.create_agency(engine, AgencyInput(
        name="  UBND  xã Đức Thọ ", level="commune", parent_id=province.id, email="UBND@DucTho.gov.vn",
        phone="0239 3855 123"))
    assert commune.name == "UBND xã Đức Thọ" and commune.email == "ubnd@ductho.gov.vn"
    assert commune.parent_name == "Ủy ban nhân dân tỉnh Hà Tĩnh"
    assert [a.name for a in directory.list_agencies(engine, "duc tho")] == ["UBND xã Đức Thọ"]
    assert [a.name for a in directory.list_agencies(engine, "ubnd")] == ["UBND xã Đức Thọ",
                                                                         "Ủy ban nhân dân tỉnh Hà Tĩnh"]
    updated = directory.update_agency(engine, commune.id, commune.version,
                                      AgencyInput(name="UBND xã Đức Thọ", level="commune", address="Thôn 1"))
    assert updated.version == 2 and updated.address == "Thôn 1" and updated.parent_id is None


def test_invalid_fields_and_duplicate_names_are_refused(engine: Engine) -> None:
    with pytest.raises(ValidationError) as info:
        directory.create_agency(engine, AgencyInput(name="", email="abc", phone="gọi tôi", level="thôn",
                                                    short_code="bt cd"))
    assert len(info.value.errors) == 5
    directory.create_agency(engine, AgencyInput(name="Sở Xây dựng"))
    with pytest.raises(ValidationError, match="Danh bạ đã có cơ quan “Sở Xây dựng”"):
        directory.create_agency(engine, AgencyInput(name="SO XAY DUNG"))
    assert _count(engine) == 1


def test_parent_loops_are_refused(engine: Engine) -> None:
    top = directory.create_agency(engine, AgencyInput(name="A"))
    child = directory.create_agency(engine, AgencyInput(name="B", parent_id=top.id))
    with pytest.raises(ValidationError, match="cấp dưới"):
        directory.update_agency(engine, top.id, top.version, AgencyInput(name="A", parent_id=child.id))
    with pytest.raises(ValidationError, match="chính cơ quan"):
        directory.update_agency(engine, top.id, top.version, AgencyInput(name="A", parent_id=top.id))


def test_stale_edit_is_refused_naming_the_change(engine: Engine) -> None:
    agency = directory.create_agency(engine, AgencyInput(name="Sở Tư pháp", phone="0239 111"))
    directory.update_agency(engine, agency.id, agency.version, AgencyInput(name="Sở Tư pháp", phone="0239 222"))
    with pytest.raises(ConflictError) as info:
        directory.update_agency(engine, agency.id, agency.version, AgencyInput(name="Sở Tư pháp tỉnh"))
    assert "Điện thoại: “0239 222”" in str(info.value)
    with pytest.raises(ConflictError):
        directory.set_active(engine, agency.id, agency.version, False)


def test_deactivate_instead_of_delete_when_referenced(engine: Engine) -> None:
    with engine.begin() as conn:
        used_id = add_agency(conn, "UBND phường Tân Lợi")
        case_id = add_case(conn)
        petition = add_petition(conn, date(2025, 3, 1), case_id=case_id)
        add_transfer(conn, petition, used_id, date(2025, 3, 5))
    spare = directory.create_agency(engine, AgencyInput(name="Gõ nhầm tên"))
    used = directory.get_agency(engine, used_id)
    with pytest.raises(ValidationError, match="1 chuyển đơn"):
        directory.delete_agency(engine, used.id, used.version)
    hidden = directory.set_active(engine, used.id, used.version, False)
    assert not hidden.active and hidden.version == used.version + 1
    assert [a.name for a in directory.list_agencies(engine)] == ["Gõ nhầm tên"]
    assert "UBND phường Tân Lợi" in _by_name(engine)
    directory.delete_agency(engine, spare.id, spare.version)
    assert _count(engine) == 1


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_bom_and_semicolons(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "co-quan.csv", (
        "Tên cơ quan;Ký hiệu;Cấp;Cơ quan cấp trên;Địa chỉ;Email;Điện thoại;Ghi chú\r\n"
        "UBND xã Đức Thọ;UBND;Cấp xã;Ủy ban nhân dân tỉnh Hà Tĩnh;\"Thôn 1; xã Đức Thọ\";ubnd@ductho.vn;0239 3855 123;x\r\n"
        ";;;;;;;\r\n"
        "Ủy ban nhân dân tỉnh Hà Tĩnh;UBND-HT;tỉnh;;Số 1 Nguyễn Du;;;\r\n"
    ), "utf-8-sig")
    report = directory.import_agencies(engine, path)
    assert (report.rows, report.added, report.updated, report.unchanged) == (2, 2, 0, 0)
    assert report.ignored_columns == ["Ghi chú"]
    rows = _by_name(engine)
    commune = rows["UBND xã Đức Thọ"]
    assert commune.address == "Thôn 1; xã Đức Thọ" and commune.level == "commune"
    assert commune.parent_name == "Ủy ban nhân dân tỉnh Hà Tĩnh"  # a parent later in the file
    assert rows["Ủy ban nhân dân tỉnh Hà Tĩnh"].level == "province"


def test_xlsx_with_english_headers_updates_instead_of_duplicating(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        add_agency(conn, "Sở Tài nguyên và Môi trường", level="province", email="old@stnmt.vn")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "short_code", "level", "parent", "address", "email", "phone"])
    sheet.append(["SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "STNMT", None, None, None, None, 2393855999])
    sheet.append(["Sở Tư pháp", "STP", "province", "STNMT", "Số 2 Phan Đình Phùng", "stp@hatinh.gov.vn", None])
    sheet.append([None, None, None, None, None, None, None])
    path = tmp_path / "agencies.xlsx"
    workbook.save(path)
    report = directory.import_agencies(engine, path)
    assert (report.added, report.updated, report.unchanged) == (1, 1, 0)
    rows = _by_name(engine)
    assert len(rows) == 2
    existing = rows["Sở Tài nguyên và Môi trường"]  # the stored name is kept, the empty cells too
    assert existing.email == "old@stnmt.vn" and existing.short_code == "STNMT" and existing.phone == "2393855999"
    assert existing.version == 2
    assert rows["Sở Tư pháp"].parent_name == "Sở Tài nguyên và Môi trường"  # parent by ký hiệu
    again = directory.import_agencies(engine, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)


def test_errors_are_listed_by_line_and_column_and_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", (
        "Tên cơ quan,Email,Cấp,Cơ quan cấp trên\n"
        "Sở Y tế,khong-phai-email,tỉnh,\n"
        ",a@b.vn,,\n"
        "Sở Y tế,,,\n"
        "Bệnh viện tỉnh,,thôn,Sở Giáo dục\n"
        "Sở Nội vụ,noi.vu@ht.gov.vn,tỉnh,\n"
    ))
    with pytest.raises(ValidationError) as info:
        directory.import_agencies(engine, path)
    assert info.value.errors == [
        "dòng 2: Email: “khong-phai-email” không phải địa chỉ thư điện tử hợp lệ",
        "dòng 3: Tên cơ quan: thiếu tên cơ quan",
        "dòng 4: Tên cơ quan: trùng với dòng 2 (“Sở Y tế”)",
        "dòng 5: Cấp: “thôn” không phải một cấp đã biết (Trung ương, Cấp tỉnh, Cấp huyện (trước 01/7/2025), "
        "Cấp xã, Khác)",
        "dòng 5: Cơ quan cấp trên: không tìm thấy cơ quan “Sở Giáo dục” trong tệp hay trong danh bạ",
    ]
    assert "chưa có gì được ghi" in str(info.value)
    assert _count(engine) == 0


def test_bad_files(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="thiếu cột “Tên cơ quan”"):
        directory.import_agencies(engine, _write(tmp_path / "a.csv", "Địa chỉ,Email\nx,y\n"))
    with pytest.raises(ValidationError, match="không phải văn bản UTF-8"):
        directory.import_agencies(engine, _write(tmp_path / "b.csv", "Tên cơ quan\nSở Y tế\n", "utf-16"))
    with pytest.raises(ValidationError, match="Không đọc được tệp Excel"):
        directory.import_agencies(engine, _write(tmp_path / "c.xlsx", "not a zip"))
    with pytest.raises(ValidationError, match="Chỉ nhập được tệp CSV"):
        directory.import_agencies(engine, _write(tmp_path / "d.pdf", "x"))
    with pytest.raises(ValidationError, match="trống"):
        directory.import_agencies(engine, _write(tmp_path / "e.csv", "\n\n"))
    with pytest.raises(ValidationError, match="Không tìm thấy tệp"):
        directory.import_agencies(engine, tmp_path / "missing.csv")
    assert _count(engine) == 0


def test_import_cancel_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    lines = "".join(f"Cơ quan số {n}\n" for n in range(50))
    path = _write(tmp_path / "many.csv", "Tên cơ quan\n" + lines)
    seen: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        directory.import_agencies(engine, path, progress=lambda d, t: seen.append((d, t)),
                                  cancel=lambda: bool(seen))
    assert _count(engine) == 0
    report = directory.import_agencies(engine, path, progress=lambda d, t: seen.append((d, t)))
    assert report.added == 50 and seen[-1] == (50, 50)


def test_cli_import_and_list(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "ds.csv", "Tên cơ quan,Cấp\nUBND phường Bắc Hà,xã\nSở Công Thương,tỉnh\n")
    assert main(["--db", sqlite_url, "agencies", "import", str(path)]) == 0
    assert "thêm 2 cơ quan" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "agencies", "list", "bac ha"]) == 0
    out = capsys.readouterr().out
    assert "UBND phường Bắc Hà" in out and "Sở Công Thương" not in out
    bad = _write(tmp_path / "bad.csv", "Tên cơ quan,Email\nSở Y tế,xx\n")
    assert main(["--db", sqlite_url, "agencies", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "dòng 2: Email:" in err

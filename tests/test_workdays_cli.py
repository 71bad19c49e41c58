"""``reception-desk workdays …`` through cli.main, on the shipped calendar and on both databases."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine

from reception_desk.cli import main
from reception_desk.paths import default_database_path
from reception_desk.storage.models import Petition, utcnow


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_without_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "workdays", "add", "2025-01-24", "1") == (0, "2025-02-03\n", "")
    assert run(capsys, "workdays", "add", "27/03/2025", "10") == (0, "2025-04-11\n", "")
    assert run(capsys, "workdays", "add", "2025-02-03", "-1") == (0, "2025-01-24\n", "")
    # Nothing was created in the user data folder just to answer.
    assert not default_database_path().exists()


def test_holidays(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "workdays", "holidays", "2025")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "2025-01-01\tTết Dương lịch"
    assert "2025-01-29\tMùng 1 Tết" in lines
    assert "2025-05-02\tNghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)" in lines
    assert "2025-09-02\tQuốc khánh (2/9)" in lines
    assert "2025-04-26" not in out  # a make-up Saturday is a working day
    assert len(lines) == 16
    days = [line.split("\t")[0] for line in lines]
    assert days == sorted(days)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["workdays", "add", "2025-02-30", "1"], "Ngày không hợp lệ"),
        (["workdays", "add", "hôm nay", "1"], "Ngày không hợp lệ"),
        (["workdays", "add", "2025-02-03", "mười"], "phải là số nguyên"),
        (["workdays", "add", "2025-02-03", "99999"], "quá lớn"),
        (["workdays", "add", "1800-01-01", "1"], "ngoài phạm vi"),
        (["workdays", "holidays", "năm nay"], "phải là số nguyên"),
        (["workdays", "holidays", "3000"], "ngoài phạm vi"),
        (["workdays", "set", "2025-13-01", "off", "Nghỉ"], "Ngày không hợp lệ"),
        (["workdays", "set", "2025-05-05", "nghỉ", "Nghỉ"], "Loại ngày không hợp lệ"),
        (["workdays", "clear", "31/02/2025"], "Ngày không hợp lệ"),
    ],
)
def test_bad_input_exits_2_in_vietnamese(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                         argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "--db", sqlite_url, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi: ") and message in err


def test_admin_edits_apply_to_add_and_holidays(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    assert run(capsys, "--db", sqlite_url, "workdays", "add", "2027-02-11", "1")[1] == "2027-02-12\n"
    code, out, _ = run(capsys, "--db", sqlite_url, "workdays", "set", "12/02/2027", "off", "Nghỉ", "thêm", "Tết")
    assert code == 0 and "12/02/2027" in out and "Nghỉ thêm Tết" in out
    assert run(capsys, "--db", sqlite_url, "workdays", "add", "2027-02-11", "1")[1] == "2027-02-15\n"
    assert "2027-02-12\tNghỉ thêm Tết\n" in run(capsys, "--db", sqlite_url, "workdays", "holidays", "2027")[1]

    code, out, _ = run(capsys, "--db", sqlite_url, "workdays", "clear", "2027-02-12")
    assert code == 0 and "ngày làm việc" in out
    assert run(capsys, "--db", sqlite_url, "workdays", "add", "2027-02-11", "1")[1] == "2027-02-12\n"

    code, _, err = run(capsys, "--db", sqlite_url, "workdays", "clear", "2027-02-12")
    assert code == 4 and "không có chỉnh sửa" in err


def test_environment_database_is_used(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEPTION_DESK_DB", sqlite_url)
    assert run(capsys, "workdays", "set", "2025-05-02", "work", "Đi làm")[0] == 0
    assert run(capsys, "workdays", "add", "2025-05-01", "1")[1] == "2025-05-02\n"


def _insert_petition(db_url: str, **values: object) -> uuid.UUID:
    engine = create_engine(db_url)
    pid = uuid.uuid4()
    now = utcnow()
    row = {"id": pid, "created_at": now, "updated_at": now, "version": 1, "channel": "post",
           "anonymous": False, "confidential": False, **values}
    with engine.begin() as conn:
        conn.execute(Petition.__table__.insert(), [row])
    engine.dispose()
    return pid


def test_deadline_of_a_recommendation(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    pid = _insert_petition(db_url, external_id="D-2025-001", received_on=date(2025, 3, 27),
                           kind="recommendation")
    expected = ("2025-04-11\tXử lý đơn (phân loại, đề xuất hướng xử lý): 10 ngày làm việc kể từ ngày nhận đơn "
                "(Thông tư 05/2021/TT-TTCP quy định quy trình xử lý đơn)\n")
    assert run(capsys, "--db", db_url, "workdays", "deadline", "D-2025-001") == (0, expected, "")
    assert run(capsys, "--db", db_url, "workdays", "deadline", str(pid)) == (0, expected, "")


def test_deadlines_of_a_denunciation_and_a_complaint(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    _insert_petition(db_url, external_id="TC-1", received_on=date(2025, 4, 25), kind="denunciation",
                     confidential=True)
    _insert_petition(db_url, external_id="TC-2", received_on=date(2025, 4, 25), kind="denunciation",
                     handling="transfer")
    _insert_petition(db_url, external_id="KN-1", received_on=date(2025, 4, 21), kind="complaint",
                     handling="accept")

    code, out, _ = run(capsys, "--db", db_url, "workdays", "deadline", "TC-1")
    assert code == 0
    # Saturday 26/04/2025 is a make-up working day; 30/04–04/05 are not working days.
    assert out.splitlines() == [
        "2025-05-08\tVào sổ, phân loại, kiểm tra điều kiện thụ lý tố cáo: 7 ngày làm việc kể từ ngày nhận đơn "
        "(Điều 24 Luật Tố cáo số 25/2018/QH14)",
        "2025-05-06\tChuyển đơn tố cáo không thuộc thẩm quyền và thông báo cho người tố cáo: 5 ngày làm việc "
        "kể từ ngày nhận đơn (Điều 24 Luật Tố cáo số 25/2018/QH14)",
    ]
    out = run(capsys, "--db", db_url, "workdays", "deadline", "TC-2")[1]
    assert [line.split("\t")[0] for line in out.splitlines()] == ["2025-05-06"]

    out = run(capsys, "--db", db_url, "workdays", "deadline", "KN-1")[1].splitlines()
    # 10 calendar days end on 01/05 (holiday): the period ends on the next working day.
    assert out[0] == ("2025-05-05\tThụ lý giải quyết khiếu nại lần đầu: 10 ngày kể từ ngày nhận đơn "
                      "(Điều 27 Luật Khiếu nại số 02/2011/QH13)")
    assert out[1].startswith("2025-05-07\tXử lý đơn")


def test_deadline_of_an_unknown_petition(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, err = run(capsys, "--db", db_url, "workdays", "deadline", "KHÔNG-CÓ")
    assert code == 4 and out == ""
    assert "Không tìm thấy đơn “KHÔNG-CÓ”" in err
    code, _, err = run(capsys, "--db", db_url, "workdays", "deadline", str(uuid.uuid4()))
    assert code == 4 and "Không tìm thấy đơn" in err

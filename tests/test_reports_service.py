"""The office report (01/TCD, 01/XLD, narrative) on a hand-built world, on SQLite and PostgreSQL.

Every figure of both periods is written out by hand below; the drill-down of every figure must list
exactly the records that make it, and the statistics keys must equal services.statistics'.
"""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Connection, Engine, insert, update

from reception_desk.domain.report_forms import STATIC_FIGURES, TCD_COLUMNS, figure_def
from reception_desk.services.errors import ValidationError
from reception_desk.services.interchange import import_jsonl
from reception_desk.services.reports import (
    EXPORTERS,
    OfficeReport,
    export_report,
    figure_count,
    figure_records,
    office_report,
    register_exporter,
    report_json,
)
from reception_desk.services.settings import OfficeSettings
from reception_desk.services.statistics import period_report
from reception_desk.services.visibility import CONFIDENTIAL_SIGNER, Viewer
from reception_desk.storage.models import Petition, ReceptionSession, new_id, utcnow
from tests.builders import (
    add_agency,
    add_case,
    add_citizen,
    add_directive,
    add_petition,
    add_transfer,
    add_visit,
)

Q2 = (date(2025, 3, 15), date(2025, 6, 14))
Q2_PREV = (date(2024, 3, 15), date(2024, 6, 14))
SECRET_NAME = "Trần Thị Bí Mật"
OFFICE = OfficeSettings(office_name="BAN TIẾP CÔNG DÂN TỈNH HÀ TĨNH")


def add_session(conn: Connection, day: date, mode: str, kind: str = "scheduled", leader: str = "Lê Văn Chủ") -> UUID:
    now = utcnow()
    row = {"id": new_id(), "created_at": now, "updated_at": now, "version": 1, "held_on": day, "kind": kind,
           "reception_mode": mode, "leader": leader}
    conn.execute(insert(ReceptionSession.__table__), [row])
    return row["id"]


def petition(conn: Connection, day: date, kind: str, channel: str, *, eligible: bool | None = None,
             handling: str | None = None, signer: UUID | None = None) -> UUID:
    pid = add_petition(conn, day, kind, channel=channel, summary=f"Đơn {kind} {day.isoformat()}")
    conn.execute(update(Petition.__table__).where(Petition.__table__.c.id == pid).values(
        eligible=eligible, handling=handling,
        ineligible_reason="Đơn không ký tên" if eligible is False else None))
    if signer is not None:
        from reception_desk.storage.models import PetitionSigner
        conn.execute(insert(PetitionSigner.__table__), [{"petition_id": pid, "citizen_id": signer, "ordinal": 0}])
    return pid


def build_world(engine: Engine) -> None:
    with engine.begin() as conn:
        secret = add_citizen(conn, SECRET_NAME, id_number="042190000111", address="Thôn Kín")
        visitor = add_citizen(conn, "Nguyễn Văn An", id_number="042190000222", address="Xã Thạch Hà")
        agency = add_agency(conn, "UBND phường Tân Lợi")
        a = add_case(conn, kind="complaint", title="Tranh chấp ranh đất", field="Đất đai")
        b = add_case(conn, kind="denunciation", title="Tố cáo cán bộ địa chính", field="đất đai")
        c = add_case(conn, kind="recommendation", title="Kiến nghị làm đường")
        d = add_case(conn, kind="feedback", title="Phản ánh ô nhiễm", field="Môi trường")
        s1 = add_session(conn, date(2025, 4, 10), "leader_scheduled")
        s2 = add_session(conn, date(2025, 5, 6), "authorised_deputy")
        add_session(conn, date(2024, 5, 1), "leader_adhoc", "adhoc")
        add_session(conn, date(2025, 6, 15), "leader_scheduled")  # the day after the period

        add_visit(conn, a, date(2025, 3, 15), citizen_ids=[visitor])  # first day of the period
        add_visit(conn, a, date(2025, 6, 14), persons=2, citizen_ids=[visitor])  # last day
        add_visit(conn, a, date(2025, 6, 15))  # the day after
        add_visit(conn, b, date(2025, 3, 14), citizen_ids=[secret])  # the day before: B's first visit
        add_visit(conn, b, date(2025, 4, 10), "leader_scheduled", 6, session_id=s1, citizen_ids=[secret])
        add_visit(conn, c, date(2025, 5, 5), "leader_adhoc", at=time(9, 0))
        add_visit(conn, c, date(2025, 5, 6), "authorised_deputy", 7, session_id=s2)
        add_visit(conn, d, date(2024, 4, 1), persons=5)  # last year: a delegation
        add_visit(conn, d, date(2024, 6, 14))  # last day of last year's period

        p1 = petition(conn, date(2025, 3, 15), "complaint", "post", eligible=True, handling="accept")
        p2 = petition(conn, date(2025, 6, 14), "denunciation", "in_person", eligible=True, handling="transfer",
                      signer=secret)
        petition(conn, date(2025, 5, 1), "feedback", "zalo", eligible=False, handling="archive")
        petition(conn, date(2025, 5, 2), "recommendation", "portal")
        petition(conn, date(2025, 6, 15), "complaint", "email", handling="guide")  # after
        p6 = petition(conn, date(2025, 3, 14), "complaint", "hotline")  # before
        p8 = petition(conn, date(2024, 4, 5), "recommendation", "transferred_in", eligible=True, handling="guide")
        p9 = petition(conn, date(2024, 6, 14), "complaint", "field_app", handling="guide")

        add_transfer(conn, p2, agency, date(2025, 6, 14), due_on=date(2025, 6, 20))
        add_transfer(conn, p1, agency, date(2025, 3, 20), due_on=date(2025, 4, 3), answered_on=date(2025, 4, 1))
        add_transfer(conn, p1, agency, date(2025, 3, 20), due_on=date(2025, 6, 14))  # due on the last day
        add_transfer(conn, p6, agency, date(2025, 3, 1), due_on=date(2025, 3, 14), answered_on=date(2025, 6, 20))
        add_transfer(conn, p6, agency, date(2025, 3, 1), due_on=date(2025, 6, 15))  # due after the period
        add_transfer(conn, p8, agency, date(2024, 4, 10), due_on=date(2024, 4, 20), answered_on=date(2024, 5, 1))
        add_transfer(conn, p9, agency, date(2024, 6, 14), due_on=date(2024, 6, 14))
        add_directive(conn, date(2025, 4, 1))


def zeros() -> dict[str, int]:
    return {f.key: 0 for f in STATIC_FIGURES}


def group(prefix: str, **values: int) -> dict[str, int]:
    return {f"tcd.{prefix}.{key.replace('__', '.')}": value for key, value in values.items()}


def expected_current() -> dict[str, int]:
    e = zeros()
    e |= group("regular", visits=2, first_visits=1, repeat_visits=1, persons=3, cases=1, first_cases=1,
               by_kind__complaint=1)
    e |= group("leaders", visits=3, first_visits=1, repeat_visits=2, persons=14, cases=2, first_cases=1,
               repeat_cases=1, by_kind__denunciation=1, by_kind__recommendation_feedback=1, delegations__count=2,
               delegations__persons=13, delegations__cases=2, delegations__first_cases=1,
               delegations__repeat_cases=1, delegations__largest=7, sessions=2)
    e |= group("head", visits=2, first_visits=1, repeat_visits=1, persons=7, cases=2, first_cases=1, repeat_cases=1,
               by_kind__denunciation=1, by_kind__recommendation_feedback=1, delegations__count=1,
               delegations__persons=6, delegations__cases=1, delegations__repeat_cases=1, delegations__largest=6,
               sessions=1)
    e |= group("head_scheduled", visits=1, repeat_visits=1, persons=6, cases=1, repeat_cases=1,
               by_kind__denunciation=1, delegations__count=1, delegations__persons=6, delegations__cases=1,
               delegations__repeat_cases=1, delegations__largest=6, sessions=1)
    e |= group("head_adhoc", visits=1, first_visits=1, persons=1, cases=1, first_cases=1,
               by_kind__recommendation_feedback=1)
    e |= group("deputy", visits=1, repeat_visits=1, persons=7, cases=1, first_cases=1,
               by_kind__recommendation_feedback=1, delegations__count=1, delegations__persons=7,
               delegations__cases=1, delegations__first_cases=1, delegations__largest=7, sessions=1)
    e |= {"tcd.total.visits": 5, "tcd.total.persons": 17, "tcd.total.cases": 4}
    e |= {"tcd.by_field.dat_dai": 2, "tcd.by_field.chua_phan_loai": 1, "tcd.by_field.moi_truong": 0}
    e |= {"xld.received.total": 4, "xld.by_channel.post": 1, "xld.by_channel.in_person": 1,
          "xld.by_channel.zalo": 1, "xld.by_channel.portal": 1, "xld.by_kind.complaint": 1,
          "xld.by_kind.denunciation": 1, "xld.by_kind.recommendation_feedback": 2,
          "xld.eligibility.eligible": 2, "xld.eligibility.not_eligible": 1, "xld.eligibility.unassessed": 1,
          "xld.eligible_by_kind.complaint": 1, "xld.eligible_by_kind.denunciation": 1,
          "xld.handling.accept": 1, "xld.handling.transfer": 1, "xld.handling.archive": 1,
          "xld.handling.pending": 1, "xld.transfers.sent": 3, "xld.transfers.answered": 1,
          "xld.transfers.overdue": 3, "xld.directives": 1}
    return e


def expected_previous() -> dict[str, int]:
    e = zeros()
    e |= group("regular", visits=2, first_visits=1, repeat_visits=1, persons=6, cases=1, first_cases=1,
               by_kind__recommendation_feedback=1, delegations__count=1, delegations__persons=5,
               delegations__cases=1, delegations__first_cases=1, delegations__largest=5)
    e |= {"tcd.leaders.sessions": 1, "tcd.head.sessions": 1, "tcd.head_adhoc.sessions": 1}
    e |= {"tcd.total.visits": 2, "tcd.total.persons": 6, "tcd.total.cases": 1}
    e |= {"tcd.by_field.dat_dai": 0, "tcd.by_field.chua_phan_loai": 0, "tcd.by_field.moi_truong": 1}
    e |= {"xld.received.total": 2, "xld.by_channel.transferred_in": 1, "xld.by_channel.field_app": 1,
          "xld.by_kind.complaint": 1, "xld.by_kind.recommendation_feedback": 1, "xld.eligibility.eligible": 1,
          "xld.eligibility.unassessed": 1, "xld.eligible_by_kind.recommendation_feedback": 1,
          "xld.handling.guide": 2, "xld.transfers.sent": 2, "xld.transfers.answered": 1,
          "xld.transfers.overdue": 1}
    return e


@pytest.fixture
def world(engine: Engine) -> Engine:
    build_world(engine)
    return engine


def test_every_figure_of_both_periods(world: Engine) -> None:
    report = office_report(world, *Q2, office=OFFICE)
    assert dict(report.current) == expected_current()
    assert dict(report.previous) == expected_previous()
    assert report.figure("xld.transfers.overdue").change == 2
    assert report.figure("tcd.regular.persons").change == -3
    assert report.figure("tcd.by_field.dat_dai").label == "Vụ việc lĩnh vực: Đất đai"
    assert report.field_labels == {"dat_dai": "Đất đai", "chua_phan_loai": "Chưa phân loại", "moi_truong": "Môi trường"}
    assert report.period.name == "Quý II/2025" and report.previous_period.name == "Quý II/2024"


def test_serial_and_parallel_reads_agree(world: Engine) -> None:
    assert office_report(world, *Q2, office=OFFICE, parallel=False) == office_report(world, *Q2, office=OFFICE)


def test_statistics_keys_are_the_statistics_engine_s(world: Engine) -> None:
    report_dict = report_json(office_report(world, *Q2, office=OFFICE))
    old = period_report(world, *Q2)
    assert list(report_dict)[: len(old)] == list(old)
    assert {key: report_dict[key] for key in old} == old
    assert list(report_dict)[len(old):] == ["tcd", "xld", "narrative"]


def test_json_figures_and_form_columns(world: Engine) -> None:
    report = office_report(world, *Q2, office=OFFICE)
    doc = report_json(report)
    json.dumps(doc, ensure_ascii=False)  # plain JSON types only
    assert doc["tcd"]["regular"]["visits"] == {"value": 2, "previous_year": 2, "change": 0}
    assert doc["tcd"]["leaders"]["delegations"]["largest"] == {"value": 7, "previous_year": 0, "change": 7}
    assert doc["tcd"]["by_field"]["moi_truong"] == {"label": "Môi trường", "value": 0, "previous_year": 1,
                                                    "change": -1}
    assert doc["xld"]["by_channel"]["transferred_in"] == {"value": 0, "previous_year": 1, "change": -1}
    assert doc["xld"]["transfers"]["overdue"]["value"] == 3
    columns = {c.number: report.column_value(c) for c in TCD_COLUMNS}
    # 01/TCD: 1 = 4 + 13 + 22, 2 = 5 + 14 + 23, 3 = 6 + 7 + 15 + 16 + 24 + 25
    assert (columns[1], columns[4], columns[13], columns[22]) == (5, 2, 2, 1)
    assert (columns[2], columns[5], columns[14], columns[23]) == (17, 3, 7, 7)
    assert columns[3] == columns[6] + columns[7] + columns[15] + columns[16] + columns[24] + columns[25] == 4
    assert (columns[12], columns[21]) == (1, 1)
    assert doc["narrative"]["period"] == "Quý II/2025"
    assert doc["narrative"]["office"] == "Ban Tiếp công dân tỉnh Hà Tĩnh"


def test_narrative_of_the_world(world: Engine) -> None:
    story = office_report(world, *Q2, office=OFFICE).narrative
    regular, leaders, petitions = story.sections
    assert regular.paragraphs == (
        "- Quý II/2025, Ban Tiếp công dân tỉnh Hà Tĩnh đã tổ chức tiếp tổng số là: 02 lượt công dân đến khiếu nại, "
        "tố cáo, kiến nghị, phản ánh (bằng cùng kỳ), trong đó tiếp lần đầu: 01 lượt, tiếp nhiều lần: 01 lượt; "
        "với tổng số 01 vụ việc (bằng cùng kỳ), số công dân là 03 người (giảm 03 người so với cùng kỳ); vụ việc "
        "tiếp lần đầu: 01 vụ việc, tiếp nhiều lần: 0 vụ việc (Khiếu nại 01 vụ việc).",
        "- Không có đoàn đông người (giảm 01 đoàn so với cùng kỳ).",
    )
    assert leaders.paragraphs == (
        "- Quý II/2025, lãnh đạo đã tổ chức tiếp công dân định kỳ, đột xuất để giải quyết khiếu nại, tố cáo, "
        "kiến nghị, phản ánh của công dân được 03 lượt (tăng 03 lượt so với cùng kỳ), tổng số người: 14 người, "
        "với 02 vụ việc; trong đó: thủ trưởng tiếp 01 kỳ, 02 lượt (định kỳ 01 lượt, đột xuất 01 lượt); ủy quyền "
        "tiếp 01 kỳ, 01 lượt; có 02 đoàn đông người với 02 vụ việc, số người được tiếp là 13 người (Tố cáo 01 vụ "
        "việc; Kiến nghị, phản ánh 01 vụ việc).",
    )
    assert petitions.paragraphs == (
        "- Quý II/2025, Ban Tiếp công dân tỉnh Hà Tĩnh tiếp nhận, xử lý 04 đơn (tăng 02 đơn so với cùng kỳ). "
        "Trong đó: Khiếu nại 01 đơn; tố cáo 01 đơn; kiến nghị, phản ánh 02 đơn.",
        "- Qua phân loại: 02 đơn đủ điều kiện xử lý, 01 đơn không đủ điều kiện xử lý, 01 đơn chưa xét điều kiện "
        "xử lý.",
        "- Hướng xử lý: thụ lý 01 đơn, chuyển đơn 01 đơn, lưu đơn 01 đơn; còn 01 đơn chưa có hướng xử lý.",
        "- Quý II/2025, Ban Tiếp công dân tỉnh Hà Tĩnh đã xử lý, chuyển 03 văn bản đến các cơ quan, đơn vị có "
        "thẩm quyền để giải quyết nội dung, vụ việc khiếu nại, tố cáo, kiến nghị, phản ánh của công dân theo quy "
        "định của pháp luật (tăng 01 văn bản so với cùng kỳ); nhận được 01 văn bản phúc đáp; đến hết kỳ còn 03 "
        "văn bản chuyển đơn quá hạn chưa có trả lời.",
        "- Tham mưu cho lãnh đạo ban hành 01 văn bản chỉ đạo giải quyết đơn thư khiếu nại, tố cáo, kiến nghị, "
        "phản ánh của công dân (tăng 01 văn bản so với cùng kỳ).",
    )


def _all_records(engine: Engine, key: str, start: date, end: date, **kwargs: Any) -> list:
    rows, after = [], None
    while True:
        page = figure_records(engine, key, start, end, limit=2, after=after, **kwargs)
        rows += page
        if len(page) < 2:
            return rows
        after = page[-1].cursor


def test_drill_down_of_every_figure_gives_the_figure(world: Engine) -> None:
    report = office_report(world, *Q2, office=OFFICE)
    for (start, end), values in ((Q2, report.current), (Q2_PREV, report.previous)):
        for key, value in values.items():
            assert figure_count(world, key, start, end) == value, (key, start)
            rows = _all_records(world, key, start, end)
            spec = figure_def(key).spec
            if spec.measure == "count":
                assert len(rows) == value, (key, start)
            elif spec.measure == "sum_persons":
                assert sum(r.persons for r in rows) == value, (key, start)
            else:
                assert max((r.persons for r in rows), default=0) == value, (key, start)
            assert len({(r.id, r.cursor.part) for r in rows}) == len(rows)  # paging: no row twice
            assert all(start <= r.day <= end for r in rows if r.record != "transfer"), key
            assert not any(SECRET_NAME in r.people or SECRET_NAME in r.title for r in rows), key


def test_drill_down_rows_and_confidentiality(world: Engine) -> None:
    visits = figure_records(world, "tcd.regular.visits", *Q2)
    assert [(r.day, r.people, r.persons) for r in visits] == [
        (date(2025, 3, 15), "Nguyễn Văn An", 1), (date(2025, 6, 14), "Nguyễn Văn An", 2)]
    assert visits[0].detail == "Tiếp thường xuyên; 1 người; tiếp lần đầu"
    deleg = figure_records(world, "tcd.head_scheduled.delegations.count", *Q2)
    assert [(r.people, r.confidential, r.kind_label) for r in deleg] == [(CONFIDENTIAL_SIGNER, True, "Tố cáo")]
    handler = Viewer("thanh.tra", may_see_denouncers=True)
    assert figure_records(world, "tcd.head_scheduled.delegations.count", *Q2, viewer=handler)[0].people == SECRET_NAME
    transferred = figure_records(world, "xld.handling.transfer", *Q2)
    assert [(r.people, r.kind_label) for r in transferred] == [(CONFIDENTIAL_SIGNER, "Tố cáo")]
    overdue = figure_records(world, "xld.transfers.overdue", *Q2)
    assert [r.day for r in overdue] == [date(2024, 6, 14), date(2025, 3, 14), date(2025, 6, 14)]
    sessions = figure_records(world, "tcd.leaders.sessions", *Q2)
    assert [(r.day, r.kind_label) for r in sessions] == [(date(2025, 4, 10), "Định kỳ"), (date(2025, 5, 6), "Định kỳ")]
    cases = figure_records(world, "tcd.total.cases", *Q2)
    assert len(cases) == 4 and len({r.id for r in cases}) == 3  # case C counts in two blocks of the form
    fields = figure_records(world, "tcd.by_field.dat_dai", *Q2)
    assert sorted(r.title for r in fields) == ["Tranh chấp ranh đất", "Tố cáo cán bộ địa chính"]
    # the statistics JSON's keys open the same records
    assert figure_count(world, "reception.leaders.cases_by_kind.denunciation", *Q2) == 1
    assert figure_count(world, "petitions.transferred", *Q2) == 3


def test_drill_down_bad_input(world: Engine) -> None:
    with pytest.raises(ValidationError, match="Không có số liệu"):
        figure_count(world, "tcd.regular.nothing", *Q2)
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        figure_records(world, "tcd.regular.visits", Q2[1], Q2[0])
    with pytest.raises(ValidationError, match="Số dòng mỗi trang"):
        figure_records(world, "tcd.regular.visits", *Q2, limit=0)
    assert figure_count(world, "tcd.by_field.khong_co", *Q2) == 0


def test_29_february_compares_with_28_february(engine: Engine) -> None:
    with engine.begin() as conn:
        k = add_case(conn, kind="complaint")
        add_visit(conn, k, date(2024, 2, 29), persons=5)
        add_visit(conn, k, date(2023, 2, 28))
        add_visit(conn, k, date(2023, 3, 1))  # the day after last year's period
        petition(conn, date(2024, 2, 29), "complaint", "post")
        petition(conn, date(2023, 2, 28), "denunciation", "email")
    report = office_report(engine, date(2024, 2, 1), date(2024, 2, 29), office=OFFICE)
    assert report.previous_period.start == date(2023, 2, 1) and report.previous_period.end == date(2023, 2, 28)
    assert (report.current["tcd.regular.visits"], report.previous["tcd.regular.visits"]) == (1, 1)
    assert (report.current["tcd.regular.first_visits"], report.previous["tcd.regular.first_visits"]) == (0, 1)
    assert report.current["tcd.regular.delegations.largest"] == 5
    assert (report.current["xld.by_channel.post"], report.previous["xld.by_channel.email"]) == (1, 1)
    assert report.period.name == "từ ngày 01/02/2024 đến ngày 29/02/2024"
    assert report.narrative.sections[0].paragraphs[0].startswith("- Từ ngày 01/02/2024 đến ngày 29/02/2024, ")


def test_empty_database_and_settings_from_the_database(engine: Engine) -> None:
    report = office_report(engine, *Q2)
    assert set(report.current.values()) == {0} and set(report.previous.values()) == {0}
    assert report.narrative.office == "Ban Tiếp công dân"
    assert report.narrative.sections[0].paragraphs[0] == (
        "- Quý II/2025, Ban Tiếp công dân không tiếp lượt công dân nào (bằng cùng kỳ).")


def test_example_office_statistics_keys_unchanged(engine: Engine, examples_dir: Path) -> None:
    import_jsonl(engine, examples_dir / "small-office.jsonl")
    for start, end in ((date(2025, 3, 15), date(2025, 6, 14)), (date(2025, 1, 1), date(2025, 7, 19))):
        published = json.loads((examples_dir / f"report-{start}_{end}.json").read_text(encoding="utf-8"))
        report = office_report(engine, start, end)
        doc = report_json(report)
        assert {key: doc[key] for key in published} == published
        for key, value in report.current.items():
            assert figure_count(engine, key, start, end) == value, key


def test_exporter_registry(sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = office_report(sqlite_engine, *Q2, office=OFFICE)
    # services.report_exports registers a real DOCX writer once imported (any CLI test does)
    monkeypatch.delitem(EXPORTERS, "docx", raising=False)
    with pytest.raises(ValidationError, match="Định dạng không được hỗ trợ"):
        export_report(report, "docx", tmp_path / "a.docx")
    written: list[tuple[OfficeReport, Path]] = []
    monkeypatch.setitem(EXPORTERS, "docx", lambda r, p: written.append((r, p)))
    export_report(report, "docx", tmp_path / "a.docx")
    assert written == [(report, tmp_path / "a.docx")]
    with pytest.raises(ValueError):
        register_exporter("odt", lambda r, p: None)

"""The synthetic office generator: deterministic, every reference valid, realistic distributions."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from reception_desk.domain.enums import Channel, PetitionKind, ReceptionMode, VisitOutcome
from reception_desk.domain.ids import PROVINCE_CODES, check_id_number
from reception_desk.services.errors import Cancelled, ValidationError
from reception_desk.services.generator import (
    RECORD_TYPES,
    SIZES,
    _WorkdayTable,
    generate,
    load_calendar,
    resolve_size,
)

TODAY = date(2025, 7, 19)
FORMAT_KEYS = {
    "agency": ["type", "id", "name", "address", "email", "short_code", "level", "parent_id"],
    "citizen": ["type", "id", "full_name", "id_number", "address", "phone", "birth_year", "gender"],
    "case": ["type", "id", "title", "kind", "field", "place", "status"],
    "session": ["type", "id", "held_on", "kind", "reception", "leader", "leader_position", "authorised_by",
                "place"],
    "visit": ["type", "id", "date", "time", "reception", "session_id", "host", "case_id", "persons",
              "citizen_ids", "representative_ids", "content", "outcome", "refusal_ground"],
    "petition": ["type", "id", "received_on", "channel", "kind", "case_id", "citizen_ids", "anonymous",
                 "summary", "duplicate_of", "field", "handling", "source_agency_id"],
    "transfer": ["type", "id", "petition_id", "agency_id", "sent_on", "number", "due_on", "answered_on",
                 "answer_number", "result"],
    "directive": ["type", "id", "issued_on", "number", "subject", "case_id"],
}
PREFIX = {"agency": "A", "citizen": "C", "case": "K", "session": "S", "visit": "V", "petition": "P",
          "transfer": "T", "directive": "D"}
# Big enough for every distribution to show, small enough to stay quick.
MEDIUM = {"citizens": 4000, "cases": 2500, "visits": 5000, "petitions": 8000, "transfers": 3200,
          "agencies": 150, "directives": 60, "years": 3}


def _records(path: Path) -> dict[str, list[dict]]:
    by_type: dict[str, list[dict]] = {t: [] for t in RECORD_TYPES}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            by_type[record["type"]].append(record)
    return by_type


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, list[dict]]]:
    path = tmp_path_factory.mktemp("gen") / "small.jsonl"
    counts = generate(path, size="small", seed=1, today=TODAY)
    return path, counts, _records(path)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    path = tmp_path_factory.mktemp("gen") / "medium.jsonl"
    generate(path, size=MEDIUM, seed=7, today=TODAY)
    return _records(path)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, small) -> None:
    path, counts, _ = small
    again = tmp_path / "again.jsonl"
    assert generate(again, size="small", seed=1, today=TODAY) == counts
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.jsonl"
    generate(other, size="small", seed=2, today=TODAY)
    assert other.read_bytes() != path.read_bytes()


def test_counts_match_the_size_and_the_file(small) -> None:
    _, counts, records = small
    spec = SIZES["small"]
    assert {t: len(rs) for t, rs in records.items()} == counts
    assert counts["citizen"] == spec.citizens == 300
    assert counts["case"] == spec.cases == 150
    assert counts["visit"] == spec.visits == 500
    assert counts["petition"] == spec.petitions == 1000
    assert counts["agency"] == spec.agencies
    assert counts["directive"] == spec.directives
    assert 0.85 * spec.transfers <= counts["transfer"] <= 1.15 * spec.transfers


@pytest.mark.parametrize("fixture", ["small", "medium"])
def test_format_ids_and_every_reference_valid(fixture: str, request: pytest.FixtureRequest) -> None:
    records = request.getfixturevalue(fixture)
    records = records[2] if isinstance(records, tuple) else records
    ids: dict[str, set[str]] = {}
    for kind, rows in records.items():
        for row in rows:
            assert list(row) == FORMAT_KEYS[kind], row
            assert row["id"].startswith(PREFIX[kind]) and row["id"][1:].isdigit()
        ids[kind] = {row["id"] for row in rows}
        assert len(ids[kind]) == len(rows), f"duplicate ids among {kind}"
    position = {row["id"]: i for i, row in enumerate(records["petition"])}
    agency_position = {row["id"]: i for i, row in enumerate(records["agency"])}
    for a in records["agency"]:
        if a["parent_id"] is not None:
            assert agency_position[a["parent_id"]] < agency_position[a["id"]]
    sessions = {s["id"]: s for s in records["session"]}
    for v in records["visit"]:
        assert v["case_id"] in ids["case"]
        if v["reception"] == "regular":
            assert v["session_id"] is None
        else:  # a leader's visit belongs to that day's session, in the same mode
            session = sessions[v["session_id"]]
            assert (session["held_on"], session["reception"], session["leader"]) == (v["date"], v["reception"], v["host"])
        assert v["citizen_ids"] and set(v["citizen_ids"]) <= ids["citizen"]
        assert len(set(v["citizen_ids"])) == len(v["citizen_ids"])
        assert set(v["representative_ids"]) <= set(v["citizen_ids"])
    petitions = {p["id"]: p for p in records["petition"]}
    for p in records["petition"]:
        assert p["case_id"] is None or p["case_id"] in ids["case"]
        assert p["source_agency_id"] is None or (p["source_agency_id"] in ids["agency"]
                                                 and p["channel"] == "transferred_in")
        assert set(p["citizen_ids"]) <= ids["citizen"]
        if p["duplicate_of"] is not None:
            original = petitions[p["duplicate_of"]]
            assert position[original["id"]] < position[p["id"]]
            assert original["received_on"] <= p["received_on"]
            assert original["case_id"] == p["case_id"] is not None
    for t in records["transfer"]:
        assert t["petition_id"] in ids["petition"]
        assert t["agency_id"] in ids["agency"]
    for d in records["directive"]:
        assert d["case_id"] is None or d["case_id"] in ids["case"]


def test_text_is_nfc_and_dates_in_the_period(small) -> None:
    path, _, records = small
    text = path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    first_day = date(2023, 7, 1)
    for v in records["visit"]:
        assert first_day <= date.fromisoformat(v["date"]) <= TODAY
    for p in records["petition"]:
        assert first_day <= date.fromisoformat(p["received_on"]) <= TODAY
    for d in records["directive"]:
        assert first_day <= date.fromisoformat(d["issued_on"]) <= TODAY


def test_identity_numbers_follow_the_structure_rules(medium) -> None:
    kinds = Counter()
    numbers = [c["id_number"] for c in medium["citizen"] if c["id_number"]]
    for c in medium["citizen"]:
        if c["id_number"] and len(c["id_number"]) == 12:
            check = check_id_number(c["id_number"], today=TODAY, sex=c["gender"], birth_year=c["birth_year"])
            assert not check.errors and not check.warnings, (c, check.messages())
    assert len(numbers) == len(set(numbers)), "identity numbers must be unique"
    for number in numbers:
        assert number.isdigit()
        if len(number) == 12:
            kinds["cccd"] += 1
            check = check_id_number(number, today=TODAY)
            assert check.ok, (number, check.errors)
            assert number[:3] in PROVINCE_CODES
            assert number[3] in "0123"  # born in the 1900s (0/1) or the 2000s (2/3)
            year = check.birth_year
            assert 1930 <= year <= TODAY.year - 16
        else:
            assert len(number) == 9
            kinds["cmnd"] += 1
    assert kinds["cccd"] > 0.8 * len(medium["citizen"])
    assert kinds["cmnd"] > 0
    assert any(c["id_number"] is None for c in medium["citizen"])
    # Most were born in the office's province (Đắk Lắk, 066).
    local = sum(1 for n in numbers if n.startswith("066"))
    assert local > 0.5 * len(numbers)


def test_names_phones_addresses_look_vietnamese(medium) -> None:
    names = [c["full_name"] for c in medium["citizen"]]
    kinh = [n for n in names if not n.startswith(("Y ", "H'")) and "H'" not in n]
    nguyen = sum(1 for n in kinh if n.startswith("Nguyễn ")) / len(kinh)
    assert 0.30 < nguyen < 0.45
    for surname in ("Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"):
        assert any(n.startswith(surname + " ") for n in kinh), surname
    assert any(" Thị " in n for n in names) and any(" Văn " in n for n in names)
    assert any(n.startswith("Y ") for n in names) and any(n.startswith("H'") for n in names)  # Ê Đê
    assert all(2 <= len(n.split()) <= 5 for n in names)
    phones = [c["phone"] for c in medium["citizen"] if c["phone"]]
    assert phones and all(len(p) == 10 and p[:2] in ("09", "03", "08") and p.isdigit() for p in phones)
    addresses = [c["address"] for c in medium["citizen"]]
    assert all(("tỉnh " in a or "TP " in a) for a in addresses)
    assert any(a.startswith("thôn ") for a in addresses) and any("phường" in a for a in addresses)
    assert any(a.startswith("buôn ") for a in addresses)
    agencies = [a["name"] for a in medium["agency"]]
    assert any(n.startswith("UBND xã") for n in agencies) and any(n.startswith("UBND phường") for n in agencies)
    assert any(n.startswith("Sở Tài nguyên và Môi trường") for n in agencies)
    assert any(n.startswith("Công an tỉnh") for n in agencies)
    emails = [a["email"] for a in medium["agency"]]
    assert len(set(emails)) == len(emails)


def test_cases_visits_petitions_distributions(medium) -> None:
    cases = medium["case"]
    case_kinds = Counter(c["kind"] for c in cases)
    assert set(case_kinds) == {k.value for k in PetitionKind}
    # Many more recommendations/feedback and complaints than denunciations.
    assert case_kinds["recommendation"] + case_kinds["feedback"] > 3 * case_kinds["denunciation"]
    assert case_kinds["complaint"] > 1.5 * case_kinds["denunciation"]
    fields = Counter(c["field"] for c in cases)
    assert fields.most_common(1)[0][0] == "Đất đai"
    assert {"Nhà ở", "Chính sách xã hội", "Môi trường", "Tư pháp", "Tham nhũng"} <= set(fields)

    visits = medium["visit"]
    modes = Counter(v["reception"] for v in visits)
    assert set(modes) == {m.value for m in ReceptionMode}
    assert modes["regular"] > 0.75 * len(visits)
    assert {v["outcome"] for v in visits} == {o.value for o in VisitOutcome}
    for v in visits:
        assert (v["refusal_ground"] is not None) == (v["outcome"] == "refused")
    assert {v["refusal_ground"] for v in visits} >= {"k1", "k2", "k3"}
    days: dict[str, list[str]] = {}
    for v in visits:
        days.setdefault(v["date"], []).append(v["time"])
    assert all(times == sorted(times) and "07:30" <= times[0] and times[-1] <= "16:25" for times in days.values())
    sessions = medium["session"]
    assert {s["kind"] for s in sessions} == {"scheduled", "adhoc"}
    assert all(s["authorised_by"] for s in sessions if s["reception"] == "authorised_deputy")
    statuses = Counter(c["status"] for c in cases)
    assert set(statuses) == {"open", "in_progress", "resolved", "closed"}
    delegations = [v for v in visits if v["persons"] >= 5]
    assert 0.015 * len(visits) < len(delegations) < 0.05 * len(visits)
    for v in delegations:
        assert v["persons"] <= 150
        assert 1 <= len(v["representative_ids"]) <= 5
    assert all(not v["representative_ids"] for v in visits if v["persons"] < 5)
    assert any(v["persons"] >= 20 for v in delegations)
    seen: set[str] = set()
    first = repeat = 0
    for v in sorted(visits, key=lambda v: v["date"]):
        if v["case_id"] in seen:
            repeat += 1
        else:
            first += 1
            seen.add(v["case_id"])
    assert first > 0.2 * len(visits) and repeat > 0.2 * len(visits)

    petitions = medium["petition"]
    assert {p["channel"] for p in petitions} == {c.value for c in Channel}
    assert {p["kind"] for p in petitions} == {k.value for k in PetitionKind}
    anonymous = [p for p in petitions if p["anonymous"]]
    assert anonymous and all(p["kind"] == "denunciation" and not p["citizen_ids"] for p in anonymous)
    assert all(p["citizen_ids"] for p in petitions if not p["anonymous"])
    duplicates = [p for p in petitions if p["duplicate_of"]]
    assert 0.03 * len(petitions) < len(duplicates) < 0.2 * len(petitions)
    assert any(len(p["citizen_ids"]) > 1 for p in petitions)  # joint petitions
    transferred = {t["petition_id"] for t in medium["transfer"]}
    for p in petitions:
        if p["duplicate_of"] or p["anonymous"]:
            assert p["handling"] == "archive"
        elif p["id"] in transferred:
            assert p["handling"] == "transfer"
        else:
            assert p["handling"] in ("accept", "guide", None)
    assert {p["handling"] for p in petitions} == {"archive", "transfer", "accept", "guide", None}
    linked = sum(1 for p in petitions if p["case_id"])
    assert 0.3 * len(petitions) < linked < 0.9 * len(petitions)
    # Offices are closed at weekends: nothing arrives on paper or in person then.
    calendar = load_calendar()
    for p in petitions:
        if not calendar.is_working_day(date.fromisoformat(p["received_on"])):
            assert p["channel"] in ("portal", "zalo", "email", "field_app")
    for v in visits:
        assert calendar.is_working_day(date.fromisoformat(v["date"]))


def test_transfers_dates_and_working_day_due_dates(medium) -> None:
    calendar = load_calendar()
    petitions = {p["id"]: p for p in medium["petition"]}
    transfers = medium["transfer"]
    answered = overdue = pending = 0
    for t in transfers:
        petition = petitions[t["petition_id"]]
        assert not petition["anonymous"] and petition["duplicate_of"] is None
        received, sent = date.fromisoformat(petition["received_on"]), date.fromisoformat(t["sent_on"])
        due = date.fromisoformat(t["due_on"])
        assert received < sent <= TODAY
        limit = 7 if petition["kind"] == "denunciation" else 10
        assert due == calendar.add_working_days(sent, limit)
        assert t["number"].endswith("/PC-BTCD")
        if t["answered_on"]:
            answered += 1
            assert sent < date.fromisoformat(t["answered_on"]) <= TODAY
            assert t["result"]
        elif due < TODAY:
            overdue += 1
        else:
            pending += 1
    assert answered > 0.75 * len(transfers)
    assert overdue > 0
    late = sum(1 for t in transfers if t["answered_on"] and t["answered_on"] > t["due_on"])
    assert late > 0
    assert len({t["agency_id"] for t in transfers}) > 20


def test_workday_table_matches_the_calendar() -> None:
    calendar = load_calendar()
    table = _WorkdayTable(calendar, date(2023, 1, 1), date(2026, 12, 31))
    d = date(2023, 2, 1)
    while d < date(2026, 6, 1):
        assert table.is_working_day(d) == calendar.is_working_day(d)
        for n in (1, 7, 10, 25):
            assert table.add(d, n) == calendar.add_working_days(d, n)
        d = date.fromordinal(d.toordinal() + 3)


def test_sizes_custom_and_bad(tmp_path: Path) -> None:
    assert resolve_size("large").visits == 500_000
    assert resolve_size({"citizens": 10}).citizens == 10
    with pytest.raises(ValidationError, match="Cỡ dữ liệu mẫu"):
        resolve_size("huge")
    with pytest.raises(ValidationError, match="Không rõ số lượng"):
        resolve_size({"people": 3})
    with pytest.raises(ValidationError):
        resolve_size({"citizens": 0})
    tiny = {"citizens": 5, "cases": 3, "visits": 10, "petitions": 10, "transfers": 3, "agencies": 2,
            "directives": 1, "years": 0.5}
    counts = generate(tmp_path / "tiny.jsonl", size=tiny, today=TODAY)
    assert counts["citizen"] == 5 and counts["visit"] == 10 and counts["agency"] == 2


def test_cancel_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "cancelled.jsonl"
    calls: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        generate(target, size=MEDIUM, today=TODAY, cancel=lambda: len(calls) >= 1,
                 progress=lambda done, total: calls.append((done, total)))
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    counts = generate(tmp_path / "p.jsonl", size="small", today=TODAY, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (sum(counts.values()), sum(counts.values()))
    assert all(d <= t for d, t in seen)

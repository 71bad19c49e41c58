"""The letters' PDF: text, order, fonts and positions per Decree 30/2020 (domain notes §7), read back
with pdfplumber (coordinates in points from the top-left corner of the page)."""

from __future__ import annotations

import dataclasses
import io
import shutil
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1
from reportlab.pdfbase.ttfonts import TTFont

from reception_desk.services import fonts as fonts_module
from reception_desk.services.errors import Cancelled, UserError
from reception_desk.services.fonts import FONT_DIR_ENV, letter_fonts
from reception_desk.services.letter_pdf import (
    BOTTOM,
    LEFT,
    MM,
    RIGHT,
    TOP,
    WIDTH,
    render_letter,
    render_letters,
    write_letters,
)
from tests import letter_samples as samples

CENTRE = LEFT + WIDTH / 2
EPS = 0.5


def _open(data: bytes) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(data))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _is_watermark(char: dict) -> bool:
    # The void mark is drawn rotated by 45°: its text matrix has a shear component.
    return abs(char["matrix"][1]) > 0.1


def _lines(page) -> list[dict]:
    page = page.filter(lambda obj: obj.get("object_type") != "char" or not _is_watermark(obj))
    return page.extract_text_lines(strip=True, return_chars=True)


def _line(page, startswith: str) -> dict:
    found = [line for line in _lines(page) if line["text"].startswith(startswith)]
    assert found, f"no line starting with {startswith!r}"
    return found[0]


def _column_lines(page, x0: float, x1: float) -> list[dict]:
    return _lines(page.crop((x0, 0, x1, page.height)))


def _centre(obj: dict) -> float:
    return (obj["x0"] + obj["x1"]) / 2


def _assert_in_order(text: str, parts: list[str]) -> None:
    position = 0
    for part in parts:
        found = text.find(_flat(part), position)
        assert found >= 0, f"{part!r} missing or out of order"
        position = found + len(_flat(part))


@pytest.fixture(scope="module")
def forwarding_pdf() -> bytes:
    return render_letter(samples.forwarding())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_letter(samples.long_letter())


def test_text_in_order_and_nfc(forwarding_pdf: bytes) -> None:
    content = samples.forwarding()
    with _open(forwarding_pdf) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert unicodedata.is_normalized("NFC", text)
    flat = _flat(text)
    for part in ("ỦY BAN NHÂN DÂN", "TỈNH HÀ TĨNH", "BAN TIẾP CÔNG DÂN TỈNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Số: 07/PC-BTCD", "Hà Tĩnh, ngày 05 tháng 01 năm 2026"):
        assert part in flat
    _assert_in_order(flat, ["Số: 07/PC-BTCD", "PHIẾU CHUYỂN ĐƠN", "Kính gửi: Chủ tịch Ủy ban nhân dân xã Thạch Hà.",
                            *content.paragraphs, "Nơi nhận:", "Trần Văn Bình"])
    # The two bottom columns side by side, each in its own order.
    _assert_in_order(flat, ["Nơi nhận:", "- Như trên;", "- Bà Nguyễn Thị Hương (để biết);", "- Lưu: VT, TCD."])
    _assert_in_order(flat, ["Nơi nhận:", "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Trần Văn Bình"])


def test_fonts_embedded_and_of_the_chosen_family(forwarding_pdf: bytes) -> None:
    chosen = letter_fonts()
    expected = {TTFont("_t", str(path)).face.name.decode() for path in chosen.files}
    with _open(forwarding_pdf) as pdf:
        used = {c["fontname"].split("+", 1)[1] for c in pdf.pages[0].chars}
        descriptors = []
        for xref in pdf.doc.xrefs:
            for objid in xref.get_objids():
                obj = resolve1(pdf.doc.getobj(objid))
                if isinstance(obj, dict) and getattr(obj.get("Type"), "name", None) == "FontDescriptor":
                    descriptors.append(obj)
    # Regular, bold and italic are all used on a forwarding letter; each comes from the chosen files.
    assert len(used) >= 3 and used <= expected
    assert descriptors and all("FontFile2" in d for d in descriptors)
    assert {d["FontName"].name.split("+", 1)[1] for d in descriptors} == used


def test_page_is_a4_and_everything_inside_the_margins(long_pdf: bytes) -> None:
    with _open(long_pdf) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert page.width == pytest.approx(210 * MM, abs=0.5)
            assert page.height == pytest.approx(297 * MM, abs=0.5)
            for char in page.chars:
                if char["top"] < TOP and page.page_number > 1 and char["text"].isdigit():
                    continue  # the page number, in the top margin
                assert char["x0"] >= LEFT - EPS, char
                assert char["x1"] <= RIGHT + EPS, char
                assert char["top"] >= TOP - EPS, char
                assert char["bottom"] <= BOTTOM + EPS, char
            for line in page.lines + page.rects:
                assert LEFT - EPS <= line["x0"] <= line["x1"] <= RIGHT + EPS
                assert TOP - EPS <= line["top"] <= line["bottom"] <= BOTTOM + EPS


def test_header_columns_title_and_sizes(forwarding_pdf: bytes) -> None:
    with _open(forwarding_pdf) as pdf:
        page = pdf.pages[0]
        right = _column_lines(page, CENTRE - 20 * MM, RIGHT + 1)
        left = _column_lines(page, LEFT - 1, LEFT + 68 * MM)
        motto = next(line for line in right if line["text"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        motto2 = next(line for line in right if line["text"] == "Độc lập - Tự do - Hạnh phúc")
        office = next(line for line in left if line["text"] == "BAN TIẾP CÔNG DÂN TỈNH")
        number = next(line for line in left if line["text"].startswith("Số:"))
        date_line = next(line for line in right if line["text"].startswith("Hà Tĩnh, ngày"))
        title = _line(page, "PHIẾU CHUYỂN ĐƠN")
        salutation = _line(page, "Kính gửi:")
        body = _line(page, "Ban Tiếp công dân tỉnh Hà Tĩnh nhận được")

        # National motto right of centre, issuing office left of it; motto and number/date rows aligned.
        assert _centre(motto) > CENTRE and _centre(motto2) == pytest.approx(_centre(motto), abs=1)
        assert _centre(office) < CENTRE and office["x0"] >= LEFT - EPS
        assert motto["top"] == pytest.approx(TOP + 13 * 0.9 - 13 * 0.784, abs=3)
        assert number["bottom"] == pytest.approx(date_line["bottom"], abs=1.5)
        assert _centre(number) == pytest.approx(_centre(office), abs=1)
        # Title centred on the text block, below the header.
        assert _centre(title) == pytest.approx(CENTRE, abs=1)
        assert title["top"] > number["bottom"]

        def sizes(line: dict) -> set[float]:
            return {round(c["size"], 1) for c in line["chars"] if not c["text"].isspace()}

        def fonts(line: dict) -> set[str]:
            return {c["fontname"].split("+", 1)[1] for c in line["chars"] if not c["text"].isspace()}

        assert sizes(motto) <= {12, 13} and all("Bold" in f for f in fonts(motto))
        assert sizes(motto2) <= {13, 14} and all("Bold" in f for f in fonts(motto2))
        assert sizes(office) <= {12, 13} and all("Bold" in f for f in fonts(office))
        assert sizes(number) == {13}
        assert sizes(date_line) <= {13, 14} and all("Italic" in f for f in fonts(date_line))
        assert sizes(title) <= {13, 14} and all("Bold" in f for f in fonts(title))
        assert sizes(salutation) == {14}
        assert sizes(body) <= {13, 14} and not any("Bold" in f or "Italic" in f for f in fonts(body))

        # Body: first line indented ~1.27 cm, justified lines end at the right margin.
        assert body["x0"] - LEFT == pytest.approx(12.7 * MM, abs=1)
        second = _line(page, "2025 của bà Nguyễn Thị Hương")
        assert second["x0"] == pytest.approx(LEFT, abs=1)
        assert second["x1"] == pytest.approx(RIGHT, abs=1.5)

        # Short solid lines: under the office name (1/3–1/2 of it), under the motto (its length).
        rules = page.lines
        office_rule = next(r for r in rules if office["bottom"] < r["top"] < number["top"] and r["x1"] < CENTRE)
        ratio = (office_rule["x1"] - office_rule["x0"]) / (office["x1"] - office["x0"])
        assert 1 / 3 - 0.01 <= ratio <= 1 / 2 + 0.01
        motto_rule = next(r for r in rules if motto2["bottom"] < r["top"] < date_line["top"] and r["x0"] > office["x1"])
        assert motto_rule["x1"] - motto_rule["x0"] == pytest.approx(motto2["x1"] - motto2["x0"], abs=1.5)


def test_recipients_left_signer_right_on_the_last_page(long_pdf: bytes) -> None:
    with _open(long_pdf) as pdf:
        first, last = pdf.pages[0], pdf.pages[-1]
        assert "Nơi nhận:" not in first.extract_text()
        label = next(line for line in _column_lines(last, LEFT - 1, LEFT + 80 * MM) if line["text"] == "Nơi nhận:")
        assert label["x0"] == pytest.approx(LEFT, abs=1)
        assert {round(c["size"]) for c in label["chars"] if not c["text"].isspace()} == {12}
        assert all("BoldItalic" in c["fontname"] for c in label["chars"] if not c["text"].isspace())
        listed = [line for line in _column_lines(last, LEFT - 1, LEFT + 80 * MM) if line["text"].startswith("- ")]
        assert [line["text"] for line in listed] == ["- Như trên;", "- Bà Nguyễn Thị Hương (để biết);",
                                                     "- Lưu: VT, TCD."]
        assert all(round(c["size"]) == 11 for line in listed for c in line["chars"] if not c["text"].isspace())
        signer_lines = _column_lines(last, LEFT + 80 * MM, RIGHT + 1)
        name = next(line for line in signer_lines if line["text"] == "Trần Văn Bình")
        position = next(line for line in signer_lines if line["text"] == "PHÓ TRƯỞNG BAN")
        assert _centre(name) > CENTRE and _centre(name) == pytest.approx(_centre(position), abs=1)
        # Room for the signature and seal between the position and the name.
        assert name["top"] - position["bottom"] > 20 * MM
        assert position["top"] == pytest.approx(label["top"] + 13, abs=16)


def test_page_numbers_from_page_two_centred_in_the_top_margin(long_pdf: bytes) -> None:
    with _open(long_pdf) as pdf:
        assert not [c for c in pdf.pages[0].chars if c["top"] < TOP]
        numbers = [c for c in pdf.pages[1].chars if c["top"] < TOP]
        assert "".join(c["text"] for c in numbers) == "2"
        assert _centre(numbers[0]) == pytest.approx(CENTRE, abs=4)
        assert round(numbers[0]["size"]) in (13, 14)


def test_batch_each_letter_on_new_pages_with_its_own_numbers() -> None:
    data = render_letters([samples.long_letter(1), samples.official_letter(2), samples.forwarding(3)])
    with _open(data) as pdf:
        assert len(pdf.pages) == 4
        texts = [_flat(page.extract_text()) for page in pdf.pages]
        assert "Số: 01/PC-BTCD" in texts[0] and "Nơi nhận:" in texts[1]
        assert texts[2].count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 1 and "Số: 02/BTCD" in texts[2]
        assert "Số: 03/PC-BTCD" in texts[3]
        # Page numbers restart: the first page of each letter has none.
        for index in (0, 2, 3):
            assert not [c for c in pdf.pages[index].chars if c["top"] < TOP]
        assert pdf.metadata["Title"] == "Văn bản (3 văn bản)"


def test_progress_and_cancel() -> None:
    seen: list[tuple[int, int]] = []
    render_letters([samples.forwarding(1), samples.forwarding(2)], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    calls = iter([False, True])
    with pytest.raises(Cancelled):
        render_letters([samples.forwarding(1), samples.forwarding(2)], cancelled=lambda: next(calls))
    with pytest.raises(UserError, match="Không có văn bản"):
        render_letters([])


def test_official_letter_subject_under_the_number_and_no_title() -> None:
    with _open(render_letter(samples.official_letter())) as pdf:
        page = pdf.pages[0]
        text = _flat(page.extract_text())
        assert "PHIẾU" not in text
        left = _column_lines(page, LEFT - 1, LEFT + 68 * MM)
        number = next(line for line in left if line["text"].startswith("Số: 15/BTCD"))
        salutation = _line(page, "Kính gửi: Ủy ban nhân dân xã Thạch Hà.")
        subject = [line for line in left if number["bottom"] - 1 < line["top"] < salutation["top"]]
        assert _flat(" ".join(line["text"] for line in subject)) == "V/v đôn đốc giải quyết đơn khiếu nại của bà Nguyễn Thị Hương"
        assert all(_centre(line) == pytest.approx(_centre(number), abs=1) for line in subject)
        assert all(round(c["size"]) in (12, 13) for line in subject for c in line["chars"] if c["text"].strip())
        assert salutation["top"] > subject[-1]["bottom"]
        # Signed by the head himself: no "KT." line.
        label = next(line for line in _column_lines(page, LEFT - 1, LEFT + 80 * MM) if line["text"] == "Nơi nhận:")
        signer = [line["text"] for line in _column_lines(page, LEFT + 80 * MM, RIGHT + 1)
                  if line["top"] > label["top"] - 2]
        assert signer == ["TRƯỞNG BAN", "Nguyễn Đức Thành"]


def test_several_recipients_one_per_line_under_kinh_gui() -> None:
    with _open(render_letter(samples.multi_recipient())) as pdf:
        page = pdf.pages[0]
        label = _line(page, "Kính gửi:")
        assert label["text"] == "Kính gửi:"
        names = [_line(page, f"- {name}") for name in ("Sở Nông nghiệp và Môi trường;", "Sở Xây dựng;",
                                                         "Ủy ban nhân dân xã Thạch Hà.")]
        assert len({round(n["x0"], 1) for n in names}) == 1 and names[0]["x0"] > label["x1"] - 2
        tops = [label["top"], *(n["top"] for n in names)]
        assert tops == sorted(tops) and len(set(round(t) for t in tops)) == 4


def test_denunciation_letter_has_the_secrecy_mark_and_no_identity() -> None:
    data = render_letter(samples.denunciation_forwarding())
    with _open(data) as pdf:
        page = pdf.pages[0]
        number = _column_lines(page, LEFT - 1, LEFT + 68 * MM)
        mark = next(line for line in number if line["text"] == "MẬT")
        num = next(line for line in number if line["text"].startswith("Số: 08/PC-BTCD"))
        assert mark["top"] > num["bottom"] and _centre(mark) == pytest.approx(_centre(num), abs=1)
        frame = [r for r in page.rects if r["x0"] < mark["x0"] and r["x1"] > mark["x1"]
                 and r["top"] <= mark["top"] and r["bottom"] >= mark["bottom"]]
        assert frame
        text = page.extract_text()
        _assert_in_order(_flat(text), ["PHIẾU CHUYỂN ĐƠN TỐ CÁO",
                                       "Về việc chuyển đơn tố cáo đến cơ quan có thẩm quyền giải quyết"])
        everything = _flat(text) + " " + " ".join(str(v) for v in pdf.metadata.values())
    for value in samples.DENOUNCER:
        assert value not in everything
        assert value.encode() not in data


def test_void_letter_marked_on_every_page() -> None:
    data = render_letter(dataclasses.replace(samples.long_letter(), void=True))
    with _open(data) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            mark = [c for c in page.chars if _is_watermark(c)]
            assert "".join(c["text"] for c in mark) == "ĐÃ HỦY"
            assert all(LEFT <= c["x0"] and c["x1"] <= RIGHT and TOP <= c["top"] for c in mark)
            assert min(c["size"] for c in mark) > 40
    with _open(render_letter(samples.forwarding())) as pdf:
        assert not [c for c in pdf.pages[0].chars if _is_watermark(c)]


def test_nfd_input_is_printed_as_nfc(forwarding_pdf: bytes) -> None:
    nfd = samples.as_nfd(samples.forwarding())
    assert not unicodedata.is_normalized("NFC", nfd.paragraphs[0])
    with _open(render_letter(nfd)) as pdf:
        text = pdf.pages[0].extract_text()
    with _open(forwarding_pdf) as pdf:
        expected = pdf.pages[0].extract_text()
    assert text == expected
    assert not any(unicodedata.combining(ch) for ch in text)


def test_metadata_names_the_document_and_the_office(forwarding_pdf: bytes) -> None:
    with _open(forwarding_pdf) as pdf:
        assert pdf.metadata["Title"] == "PHIẾU CHUYỂN ĐƠN"
        assert pdf.metadata["Author"] == "BAN TIẾP CÔNG DÂN TỈNH"
    with _open(render_letter(samples.official_letter())) as pdf:
        assert pdf.metadata["Title"].startswith("V/v đôn đốc")


def test_write_letters_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "letters.pdf"
    assert write_letters(target, [samples.forwarding()]) == target
    assert target.read_bytes().startswith(b"%PDF")
    with pytest.raises(Cancelled):
        write_letters(target, [samples.forwarding()], cancelled=lambda: True)
    assert target.read_bytes().startswith(b"%PDF")  # the earlier file is untouched
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(UserError, match="Không ghi được tệp"):
        write_letters(blocker / "letters.pdf", [samples.forwarding()])
    assert sorted(p.name for p in target.parent.iterdir()) == ["letters.pdf"]


def test_font_folder_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = letter_fonts().files
    # An office folder with Times New Roman under Windows file names (here: the metric twin renamed).
    for source, name in zip(bundled, ("times.ttf", "TIMESBD.TTF", "timesi.ttf", "timesbi.ttf"), strict=True):
        shutil.copy(source, tmp_path / name)
    monkeypatch.setenv(FONT_DIR_ENV, str(tmp_path))
    chosen = letter_fonts()
    assert chosen.family == "Times New Roman" and not chosen.bundled
    assert [p.name for p in chosen.files] == ["times.ttf", "TIMESBD.TTF", "timesi.ttf", "timesbi.ttf"]
    with _open(render_letter(samples.forwarding())) as pdf:
        assert "PHIẾU CHUYỂN ĐƠN" in pdf.pages[0].extract_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(FONT_DIR_ENV, str(empty))
    with pytest.raises(UserError, match="không có đủ bốn kiểu"):
        letter_fonts()


def test_bundled_font_is_used_when_the_machine_has_no_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_DIR_ENV, raising=False)
    monkeypatch.setattr(fonts_module, "system_font_dirs", lambda: [])
    family, files, bundled = fonts_module.find_font_files()
    assert family == "Liberation Serif" and bundled
    assert all(path.parent.name == "fonts" and path.exists() for path in files)
    assert (files[0].parent / "OFL.txt").exists()


def test_signature_never_alone_on_a_page() -> None:
    """Whatever the body's length, the page with "Nơi nhận" and the signer also carries body text."""
    base = samples.long_letter()
    filler = ("Công dân đề nghị cơ quan có thẩm quyền xem xét giải quyết dứt điểm vụ việc theo quy định "
              "của pháp luật để ổn định đời sống. ") * 6
    pages_seen = set()
    for extra in range(0, 9):
        for words in (0, 15, 30, 45, 60, 75):
            body = base.paragraphs[:2 + extra] + (" ".join(filler.split()[:words]),) + base.paragraphs[-2:]
            content = dataclasses.replace(base, paragraphs=tuple(p for p in body if p))
            with _open(render_letter(content)) as pdf:
                pages_seen.add(len(pdf.pages))
                last = pdf.pages[-1]
                label = next(line for line in _column_lines(last, LEFT - 1, LEFT + 80 * MM)
                             if line["text"] == "Nơi nhận:")
                body_lines = [line for line in _lines(last) if TOP <= line["top"] and line["bottom"] <= label["top"]
                              and any(round(c["size"]) == 14 and "Bold" not in c["fontname"]
                                      for c in line["chars"])]
                assert len(body_lines) >= 2, (extra, words)
                assert all(c["bottom"] <= BOTTOM + EPS for page in pdf.pages for c in page.chars)
    assert pages_seen == {1, 2}


def test_awkward_content_stays_inside_the_margins() -> None:
    """Very long names and words wrap (or are cut) instead of running off the page; empty parts vanish."""
    base = samples.forwarding()
    content = dataclasses.replace(
        base,
        letterhead=dataclasses.replace(base.letterhead, superior_body="",
                                       office_name="BAN TIẾP CÔNG DÂN THÀNH PHỐ HỒ CHÍ MINH VÀ CÁC ĐƠN VỊ "
                                                   "TRỰC THUỘC ỦY BAN NHÂN DÂN THÀNH PHỐ"),
        title="PHIẾU CHUYỂN ĐƠN KHIẾU NẠI, TỐ CÁO, KIẾN NGHỊ, PHẢN ÁNH ĐẾN CƠ QUAN CÓ THẨM QUYỀN GIẢI QUYẾT",
        salutation=("Chủ tịch Ủy ban nhân dân xã Thạch Hà, Trưởng Công an xã Thạch Hà và Chủ tịch Ủy ban Mặt "
                    "trận Tổ quốc Việt Nam xã Thạch Hà.",),
        paragraphs=("Địa chỉ thư điện tử: " + "nguyenvanan" * 12 + "@example.vn.", "", *base.paragraphs),
        recipients=("- Cơ quan Ủy ban Kiểm tra Tỉnh ủy Hà Tĩnh và Thanh tra tỉnh Hà Tĩnh (để biết, theo dõi);",
                    "- Lưu: VT, TCD."),
        signer=dataclasses.replace(base.signer, authority=""),
    )
    with _open(render_letter(content)) as pdf:
        text = _flat(" ".join(page.extract_text() for page in pdf.pages))
        for page in pdf.pages:
            for char in page.chars:
                if char["top"] < TOP and char["text"].isdigit():
                    continue
                assert LEFT - EPS <= char["x0"] and char["x1"] <= RIGHT + EPS, char
                assert TOP - EPS <= char["top"] and char["bottom"] <= BOTTOM + EPS, char
    assert "KT." not in text and "PHÓ TRƯỞNG BAN" in text
    assert "nguyenvanan" * 3 in text.replace(" ", "")

"""The serif the letters are printed in: Times New Roman when the machine has it, else the bundled one.

Decree 30/2020 asks for Times New Roman (domain notes §7.1). Windows has it; Linux and macOS often
do not, and its licence forbids shipping it. The fallback bundled in ``resources/fonts/`` is
Liberation Serif 2 (SIL OFL 1.1): metric-compatible with Times New Roman, so a letter breaks its
lines and pages the same on every machine, and it covers every Vietnamese letter.

``letter_fonts()`` finds the four styles, registers them with ReportLab as one family once per
process and returns their names; ReportLab embeds a subset of each TrueType font it draws with.
``$RECEPTION_DESK_LETTER_FONT_DIR`` names a folder searched first (an office's own copy, tests).
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from reception_desk.paths import resources_dir
from reception_desk.services.errors import UserError

FONT_DIR_ENV = "RECEPTION_DESK_LETTER_FONT_DIR"
# The family name Word and LibreOffice look for in the DOCX (they substitute when it is missing).
DOCX_FONT = "Times New Roman"

STYLES = ("regular", "bold", "italic", "bold_italic")

# File names of Times New Roman (lower case): Windows, Debian's msttcorefonts, macOS.
TIMES_NAMES: tuple[tuple[str, ...], ...] = (
    ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf"),
    ("times_new_roman.ttf", "times_new_roman_bold.ttf", "times_new_roman_italic.ttf",
     "times_new_roman_bold_italic.ttf"),
    ("times new roman.ttf", "times new roman bold.ttf", "times new roman italic.ttf",
     "times new roman bold italic.ttf"),
)
BUNDLED_NAMES = ("liberationserif-regular.ttf", "liberationserif-bold.ttf", "liberationserif-italic.ttf",
                 "liberationserif-bolditalic.ttf")
# Every Vietnamese letter the documents print; a font missing one of them is passed over
# (very old Times New Roman copies lack the Vietnamese block).
VIETNAMESE_SAMPLE = (
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)


@dataclass(frozen=True, slots=True)
class LetterFonts:
    """A registered family: ReportLab font names per style, and where the files came from."""

    family: str  # what a person would call it: "Times New Roman", "Liberation Serif"
    regular: str
    bold: str
    italic: str
    bold_italic: str
    files: tuple[Path, Path, Path, Path]
    bundled: bool

    def name(self, bold: bool = False, italic: bool = False) -> str:
        if bold and italic:
            return self.bold_italic
        if bold:
            return self.bold
        return self.italic if italic else self.regular


def system_font_dirs() -> list[Path]:
    """Where operating systems keep fonts (for all users and for the current one)."""
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows")
        dirs = [windir / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts/Supplemental"), Path("/Library/Fonts"),
                Path("/System/Library/Fonts"), home / "Library" / "Fonts"]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [data_home / "fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]


def _index(folder: Path) -> dict[str, Path]:
    """Every .ttf under ``folder`` by lower-case file name (font folders are small trees)."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.lower().endswith(".ttf"):
                found.setdefault(name.lower(), Path(root) / name)
    return found


def _covers_vietnamese(path: Path) -> bool:
    try:
        face = TTFont("_probe", str(path)).face
    except (TTFError, OSError):
        return False
    return all(ord(ch) in face.charToGlyph for ch in VIETNAMESE_SAMPLE)


def _pick(index: dict[str, Path], sets: tuple[tuple[str, ...], ...]) -> tuple[Path, Path, Path, Path] | None:
    for names in sets:
        paths = [index.get(n) for n in names]
        if all(paths) and _covers_vietnamese(paths[0]):  # type: ignore[arg-type]
            return tuple(paths)  # type: ignore[return-value]
    return None


def find_font_files() -> tuple[str, tuple[Path, Path, Path, Path], bool]:
    """(family, four files regular/bold/italic/bold-italic, bundled?) in order of preference.

    $RECEPTION_DESK_LETTER_FONT_DIR first (Times New Roman or Liberation Serif file names), then
    Times New Roman installed on the machine, then the copy bundled in resources/fonts/.
    """
    override = os.environ.get(FONT_DIR_ENV)
    if override:
        index = _index(Path(override))
        files = _pick(index, TIMES_NAMES)
        if files:
            return "Times New Roman", files, False
        files = _pick(index, (BUNDLED_NAMES,))
        if files:
            return "Liberation Serif", files, False
        raise UserError(f"Thư mục phông chữ {override} (biến {FONT_DIR_ENV}) không có đủ bốn kiểu "
                        "Times New Roman hoặc Liberation Serif (thường, đậm, nghiêng, đậm nghiêng) "
                        "có đủ chữ tiếng Việt.")
    for folder in system_font_dirs():
        files = _pick(_index(folder), TIMES_NAMES)
        if files:
            return "Times New Roman", files, False
    files = _pick(_index(resources_dir() / "fonts"), (BUNDLED_NAMES,))
    if files:
        return "Liberation Serif", files, True
    raise UserError("Không tìm thấy phông chữ Times New Roman trên máy và thiếu phông chữ đi kèm "
                    f"trong {resources_dir() / 'fonts'}; hãy cài lại chương trình.")


_lock = threading.Lock()
_registered: dict[tuple[str, ...], LetterFonts] = {}


def letter_fonts() -> LetterFonts:
    """The letters' family, registered with ReportLab (once per process and font folder)."""
    key = (os.environ.get(FONT_DIR_ENV) or "",)
    cached = _registered.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _registered.get(key)
        if cached is not None:
            return cached
        family, files, bundled = find_font_files()
        # Names unique per set of files, so an override folder never clashes with the default.
        tag = hashlib.sha1(str(files[0]).encode()).hexdigest()[:6]
        base = "".join(family.split()) + "-" + tag
        names = tuple(f"{base}-{style}" for style in STYLES)
        for name, path in zip(names, files, strict=True):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(base, normal=names[0], bold=names[1], italic=names[2],
                                      boldItalic=names[3])
        fonts = LetterFonts(family, *names, files=files, bundled=bundled)
        _registered[key] = fonts
        return fonts

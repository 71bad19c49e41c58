"""``reception-desk letter …``: forwarding letters and the other documents the desk issues.

- ``letter transfer TRANSFER --output F.pdf|F.docx [--date D] [--notice N.pdf]``: the forwarding
  letter of one transfer (issued once, numbered; later calls print the same letter again);
- ``letter batch --from D --to D --output F.pdf|F.docx [--kind K] [--include-void] [--issue-missing]``:
  every letter of a kind issued in the period, in number order, in one file;
- ``letter show DOCUMENT --output F``: one issued document again, exactly as issued;
- ``letter void DOCUMENT --reason TEXT``: cancel a document (it keeps its number);
- ``letter list [--from D] [--to D] [--kind K] [--status S]``: the register of issued documents,
  one per line: number<TAB>date<TAB>kind<TAB>status<TAB>recipient<TAB>id.

TRANSFER is a transfer's UUID or its id in an imported file; DOCUMENT a document's UUID or its
printed number ("07/PC-BTCD", with ``--year`` when the number recurs across years).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reception_desk.commands.report import parse_day, parse_year
from reception_desk.domain.letters import KIND_LABELS, LetterContent, LetterKind, LetterStatus
from reception_desk.services.database import database
from reception_desk.services.errors import UserError, ValidationError
from reception_desk.services.files import atomic_write
from reception_desk.services.letter_batches import document_id_for, issue_missing_forwarding, transfer_id_for
from reception_desk.services.letters import (
    issue_forwarding,
    issue_notice,
    letters_for_period,
    list_letters,
    load_letter,
    void_letter,
)
from reception_desk.services.visibility import desk_viewer

FORMATS = ("pdf", "docx")
_KINDS = ", ".join(k.value for k in LetterKind)
_PAGE = 500  # register rows read per query by ``letter list``


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "letter",
        help="phiếu chuyển đơn và các văn bản khác (PDF/DOCX), số văn bản, hủy văn bản",
        description="Phát hành và in phiếu chuyển đơn, thông báo, văn bản đôn đốc… theo thể thức "
        "Nghị định 30/2020/NĐ-CP. Định dạng tệp theo đuôi --output (.pdf hoặc .docx) hoặc --format.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    t = actions.add_parser("transfer", help="phiếu chuyển đơn của một lần chuyển đơn",
                           description="Phát hành (nếu chưa có) và in phiếu chuyển đơn của một lần chuyển.")
    t.add_argument("transfer", metavar="TRANSFER_ID", help="mã lần chuyển đơn (UUID hoặc mã trong tệp đã nhập)")
    t.add_argument("--date", metavar="YYYY-MM-DD", help="ngày của phiếu (mặc định: ngày chuyển đơn)")
    t.add_argument("--notice", metavar="FILE",
                   help="cũng phát hành thông báo cho người gửi đơn và ghi vào tệp này")
    _output_options(t)
    t.set_defaults(func=run_transfer)

    b = actions.add_parser("batch", help="mọi văn bản của một kỳ trong một tệp",
                           description="Mọi văn bản một loại phát hành trong kỳ, theo thứ tự số, trong một tệp.")
    b.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", required=True, help="ngày đầu (tính cả)")
    b.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", required=True, help="ngày cuối (tính cả)")
    b.add_argument("--kind", default=LetterKind.FORWARDING.value, metavar="KIND",
                   help=f"loại văn bản: {_KINDS} (mặc định: forwarding)")
    b.add_argument("--include-void", action="store_true", help="in cả văn bản đã hủy (có dấu ĐÃ HỦY)")
    b.add_argument("--issue-missing", action="store_true",
                   help="trước đó phát hành phiếu chuyển đơn cho các lần chuyển trong kỳ chưa có phiếu và chưa có số")
    _output_options(b)
    b.set_defaults(func=run_batch)

    s = actions.add_parser("show", help="in lại một văn bản đã phát hành",
                           description="In lại một văn bản đúng như khi phát hành (văn bản đã hủy có dấu ĐÃ HỦY).")
    s.add_argument("document", metavar="DOCUMENT", help="mã văn bản (UUID) hoặc số văn bản, ví dụ 07/PC-BTCD")
    s.add_argument("--year", metavar="YYYY", help="năm của số văn bản (khi số đó có ở nhiều năm)")
    _output_options(s)
    s.set_defaults(func=run_show)

    v = actions.add_parser("void", help="hủy một văn bản (giữ nguyên số, không dùng lại)",
                           description="Hủy một văn bản đã phát hành: văn bản giữ số của nó và được đánh dấu đã hủy.")
    v.add_argument("document", metavar="DOCUMENT", help="mã văn bản (UUID) hoặc số văn bản, ví dụ 07/PC-BTCD")
    v.add_argument("--year", metavar="YYYY", help="năm của số văn bản")
    v.add_argument("--reason", required=True, metavar="TEXT", help="lý do hủy")
    v.set_defaults(func=run_void)

    ls = actions.add_parser("list", help="sổ đăng ký văn bản đi",
                            description="Mỗi văn bản một dòng: số<TAB>ngày<TAB>loại<TAB>tình trạng<TAB>nơi nhận<TAB>mã.")
    ls.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="từ ngày")
    ls.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="đến ngày")
    ls.add_argument("--kind", metavar="KIND", help=f"loại văn bản: {_KINDS}")
    ls.add_argument("--status", metavar="STATUS", help="issued (còn hiệu lực) hoặc void (đã hủy)")
    ls.set_defaults(func=run_list)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", required=True, metavar="FILE", help="tệp kết quả (.pdf hoặc .docx)")
    p.add_argument("--format", metavar="pdf|docx", help="định dạng (mặc định: theo đuôi tệp, không có thì pdf)")


def _format(path: Path, requested: str | None) -> str:
    if requested:
        fmt = requested.strip().lower()
        if fmt not in FORMATS:
            raise ValidationError(f"Định dạng không được hỗ trợ: “{requested}” (cho phép: {', '.join(FORMATS)}).")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "pdf"


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value.strip().lower())
    except ValueError:
        raise ValidationError(f"Loại văn bản không hợp lệ: “{value}” (cho phép: {_KINDS}).") from None


def _status(value: str) -> LetterStatus:
    try:
        return LetterStatus(value.strip().lower())
    except ValueError:
        raise ValidationError(f"Tình trạng không hợp lệ: “{value}” (cho phép: issued, void).") from None


def _write(path: Path, fmt: str, contents: Sequence[LetterContent]) -> None:
    """Render and save; the file appears whole or not at all (an old one is never half-overwritten)."""
    if not contents:
        raise UserError("Không có văn bản nào để ghi; chưa tạo tệp.")
    total = len(contents)
    big = total >= 50

    def progress(done: int, _total: int) -> None:
        if big and (done % 100 == 0 or done == total):
            print(f"\rĐã dựng {done}/{total} văn bản…", end="" if done < total else "\n", file=sys.stderr)

    # the writers (ReportLab, python-docx) load here, not at every start of the program
    if fmt == "pdf":
        from reception_desk.services.letter_pdf import render_letters

        data = render_letters(contents, progress)
    else:
        from reception_desk.services.letter_docx import letters_docx

        data = letters_docx(contents)
    atomic_write(path, data, make_parents=True)


def _optional_day(value: str | None, option: str) -> date | None:
    return parse_day(value, option) if value is not None else None


def _optional_year(value: str | None) -> int | None:
    return parse_year(value) if value is not None else None


def run_transfer(args: argparse.Namespace) -> int:
    path = Path(args.output)
    fmt = _format(path, args.format)
    issued_on = _optional_day(args.date, "--date")
    viewer = desk_viewer()
    with database(args.db) as engine:
        tid = transfer_id_for(engine, args.transfer)
        with engine.begin() as conn:  # the letter and the notice together, or neither
            letter = issue_forwarding(conn, tid, issued_on=issued_on, viewer=viewer)
            notice = issue_notice(conn, [tid], issued_on=issued_on, viewer=viewer) if args.notice else None
    _write(path, fmt, [letter.content])
    print(f"Phiếu chuyển đơn số {letter.symbol} ngày {letter.issued_on:%d/%m/%Y}: đã ghi {path}.", file=sys.stderr)
    if notice is not None:
        notice_path = Path(args.notice)
        _write(notice_path, _format(notice_path, None), [notice.content])
        print(f"Thông báo số {notice.symbol}: đã ghi {notice_path}.", file=sys.stderr)
    return 0


def run_batch(args: argparse.Namespace) -> int:
    path = Path(args.output)
    fmt = _format(path, args.format)
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if end < start:
        raise ValidationError(f"Ngày --to ({end.isoformat()}) trước ngày --from ({start.isoformat()}).")
    kind = _kind(args.kind)
    if args.issue_missing and kind is not LetterKind.FORWARDING:
        raise ValidationError("--issue-missing chỉ dùng cho phiếu chuyển đơn (--kind forwarding).")
    with database(args.db) as engine:
        if args.issue_missing:
            new = issue_missing_forwarding(engine, start, end, viewer=desk_viewer())
            print(f"Đã phát hành {len(new)} phiếu chuyển đơn còn thiếu.", file=sys.stderr)
        contents = letters_for_period(engine, start, end, kind, include_void=args.include_void)
    if not contents:
        raise UserError(f"Không có {KIND_LABELS[kind].lower()} nào phát hành từ {start:%d/%m/%Y} "
                        f"đến {end:%d/%m/%Y}; chưa tạo tệp.")
    _write(path, fmt, contents)
    print(f"Đã ghi {len(contents)} văn bản ({KIND_LABELS[kind].lower()}) vào {path}.", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    path = Path(args.output)
    fmt = _format(path, args.format)
    with database(args.db) as engine:
        letter = load_letter(engine, document_id_for(engine, args.document, _optional_year(args.year)))
    _write(path, fmt, [letter.content])
    state = " (đã hủy)" if letter.status is LetterStatus.VOID else ""
    print(f"{KIND_LABELS[letter.kind]} số {letter.symbol}{state}: đã ghi {path}.", file=sys.stderr)
    return 0


def run_void(args: argparse.Namespace) -> int:
    with database(args.db) as engine:
        did = document_id_for(engine, args.document, _optional_year(args.year))
        current = load_letter(engine, did)
        letter = void_letter(engine, did, args.reason, current.version, viewer=desk_viewer())
    print(f"Đã hủy {KIND_LABELS[letter.kind].lower()} số {letter.symbol}; số này không được dùng lại.",
          file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    start, end = _optional_day(args.date_from, "--from"), _optional_day(args.date_to, "--to")
    if start and end and end < start:
        raise ValidationError(f"Ngày --to ({end.isoformat()}) trước ngày --from ({start.isoformat()}).")
    kind = _kind(args.kind) if args.kind else None
    status = _status(args.status) if args.status else None
    shown = 0
    with database(args.db) as engine:
        while True:
            rows = list_letters(engine, date_from=start, date_to=end, kind=kind, status=status,
                                limit=_PAGE, offset=shown)
            for r in rows:
                fields = (r.symbol, r.issued_on.isoformat(), r.kind_label,
                          "đã hủy" if r.status is LetterStatus.VOID else "còn hiệu lực", r.recipient, str(r.id))
                print("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields))
            shown += len(rows)
            if len(rows) < _PAGE:
                break
    if not shown:
        print("Chưa có văn bản nào phù hợp.", file=sys.stderr)
    return 0

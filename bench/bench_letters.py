"""Letter rendering: ``python bench/bench_letters.py [--runs 50] [--batch 1000]``.

Lays out the sample letters of tests/letter_samples.py (no database: this measures the writers,
services.letter_pdf and services.letter_docx, not the letters service that fills them):

- the first letter of the process (finds and registers the fonts), then one forwarding letter as
  PDF ``--runs`` times (targets: < 100 ms each);
- ``--batch`` letters (forwarding, denunciation, công văn, several recipients, two-page, void, in
  turn; numbered 1..N) into one PDF, as ``letter batch`` does (target: 1,000 in < 15 s), written
  to bench/out/letters-batch.pdf;
- one letter as DOCX ``--runs`` times.

Prints the figures and a ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, emit, machine, summary_ms  # noqa: E402
from reception_desk.services.fonts import letter_fonts  # noqa: E402
from reception_desk.services.letter_docx import letter_docx  # noqa: E402
from reception_desk.services.letter_pdf import render_letter, render_letters  # noqa: E402
from tests import letter_samples as samples  # noqa: E402

_MAKERS = (samples.forwarding, samples.denunciation_forwarding, samples.official_letter,
           samples.multi_recipient, samples.long_letter, samples.void_letter)


def _timed(fn, runs: int) -> list[float]:
    times: list[float] = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - started)
    return times


def run(runs: int, batch: int) -> dict:
    started = time.perf_counter()
    render_letter(samples.forwarding(1))
    first_ms = (time.perf_counter() - started) * 1000
    fonts = letter_fonts()

    pdf_times = _timed(lambda i: render_letter(samples.forwarding(i + 1)), runs)

    letters = [_MAKERS[i % len(_MAKERS)](i + 1) for i in range(batch)]
    started = time.perf_counter()
    data = render_letters(letters)
    batch_s = time.perf_counter() - started
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "letters-batch.pdf"
    target.write_bytes(data)
    pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")

    letter_docx(samples.forwarding(1))  # python-docx loads its template once
    docx_times = _timed(lambda i: letter_docx(samples.forwarding(i + 1)), runs)

    return {
        "font": fonts.family, "font_bundled": fonts.bundled,
        "first_letter_ms": round(first_ms, 1),
        "pdf_one": summary_ms(pdf_times),
        "pdf_batch": {"letters": batch, "seconds": round(batch_s, 2), "pages": pages,
                      "mb": round(len(data) / 1e6, 2), "ms_per_letter": round(batch_s * 1000 / batch, 2),
                      "file": str(target.relative_to(OUT.parent.parent))},
        "docx_one": summary_ms(docx_times),
        "loadavg": [round(x, 2) for x in os.getloadavg()], "machine": machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50, help="timed single letters (default 50)")
    parser.add_argument("--batch", type=int, default=1000, help="letters in the batch PDF (default 1000)")
    args = parser.parse_args()
    result = run(args.runs, args.batch)
    one, batch, docx = result["pdf_one"], result["pdf_batch"], result["docx_one"]
    print(f"font: {result['font']} ({'bundled' if result['font_bundled'] else 'installed'}); "
          f"first letter of the process {result['first_letter_ms']} ms")
    print(f"PDF, one letter: p50 {one['median_ms']} ms, p95 {one['p95_ms']} ms, max {one['max_ms']} ms "
          f"(n={one['n']}; target < 100 ms)")
    print(f"PDF, {batch['letters']} letters in one file: {batch['seconds']} s, {batch['pages']} pages, "
          f"{batch['mb']} MB (target < 15 s)")
    print(f"DOCX, one letter: p50 {docx['median_ms']} ms, p95 {docx['p95_ms']} ms (n={docx['n']})")
    print(f"load average {result['loadavg']}")
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

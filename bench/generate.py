"""Write the benchmark office once and keep it: ``python bench/generate.py [--size large] [--force]``.

The file goes to bench/out/ (git-ignored) with a ``.meta.json`` beside it (counts, the ``today``
the records end on, how long generating took). It is reused as long as the generator's code, the
size and the seed are the same: the name carries a hash of services/generator.py,
domain/names.py and the working-day calendar (db/reference/calendar.csv).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, ROOT, emit  # noqa: E402
from reception_desk.services.generator import generate  # noqa: E402

_SOURCES = ("reception_desk/services/generator.py", "reception_desk/domain/names.py", "db/reference/calendar.csv")


def _code_hash() -> str:
    digest = hashlib.sha256()
    for rel in _SOURCES:
        digest.update((ROOT / rel).read_bytes())
    return digest.hexdigest()[:10]


def cached_path(size: str = "large", seed: int = 1) -> Path:
    return OUT / f"office-{size}-s{seed}-{_code_hash()}.jsonl"


def ensure_office(size: str = "large", seed: int = 1, *, force: bool = False, quiet: bool = False) -> tuple[Path, dict[str, Any]]:
    """The cached office file and its metadata, generating it when missing (or when ``force``)."""
    path = cached_path(size, seed)
    meta_path = path.with_suffix(".meta.json")
    if path.exists() and meta_path.exists() and not force:
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    for old in OUT.glob(f"office-{size}-s{seed}-*"):  # an older generator's file: no longer valid
        old.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    today = date.today()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if not quiet and (now - last[0] > 2 or done >= total):
            last[0] = now
            print(f"  generating {size}: {done:,}/{total:,} lines", file=sys.stderr, flush=True)

    started = time.perf_counter()
    counts = generate(path, size=size, seed=seed, today=today, progress=progress)
    meta = {
        "size": size, "seed": seed, "today": today.isoformat(), "counts": counts,
        "lines": sum(counts.values()), "bytes": path.stat().st_size,
        "generate_seconds": round(time.perf_counter() - started, 1), "code": _code_hash(),
    }
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path, meta


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large", choices=["small", "large"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="generate again even if the cached file exists")
    args = parser.parse_args()
    path, meta = ensure_office(args.size, args.seed, force=args.force)
    print(f"{path} ({meta['bytes'] / 1e6:.0f} MB, {meta['lines']:,} lines, generated in "
          f"{meta['generate_seconds']} s, records up to {meta['today']})")
    emit({"path": str(path), **meta})
    return 0


if __name__ == "__main__":
    sys.exit(main())

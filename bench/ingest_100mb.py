"""Ingest of 100 MB inputs under the default limits: wall seconds, peak memory and the outcome.

Two generated files (nothing is read from outside): a 100 MB JSONL export of ~32,000 articles, which is
stored, and one 100 MB plain-text "article", which is refused by the per-article limit
(``pipeline.MAX_ARTICLE_CHARS``) before any work is done on it. Each runs in its own process so that its
peak resident memory is its own.

    .venv/bin/python bench/ingest_100mb.py [--size-mb 100]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from storyline import pipeline
from storyline.config import Settings
from storyline.store import open_store
path, db = Path(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
with open_store(db) as store:
    report = pipeline.ingest([path], store, Settings(db=db))
print(json.dumps({
    "seconds": round(time.perf_counter() - started, 1),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "counts": dict(report.counts),
    "failures": [str(f) for f in report.failures[:3]],
    "stages": {name: round(stat.seconds, 1) for name, stat in report.stages.items()},
}))
"""


def write_inputs(folder: Path, size: int) -> list[Path]:
    jsonl, text = folder / "export.jsonl", folder / "one-article.txt"
    with jsonl.open("w", encoding="utf-8") as handle:
        n = 0
        while handle.tell() < size:
            body = f"The river rose again overnight near mill {n}. " * 40
            handle.write(json.dumps({"title": f"Report {n}", "text": body}) + "\n")
            n += 1
    line = "The river rose again overnight and the council opened two more shelters for residents.\n"
    with text.open("w", encoding="utf-8") as handle:
        while handle.tell() < size:
            handle.write(line * 10_000)
    return [jsonl, text]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in write_inputs(folder, args.size_mb * 1024 * 1024):
            db = folder / f"{path.stem}.db"
            command = [sys.executable, "-c", MEASURE, str(path), str(db)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            print(path.name, f"{path.stat().st_size / 2**20:.0f} MB:", out.stdout.strip())


if __name__ == "__main__":
    main()

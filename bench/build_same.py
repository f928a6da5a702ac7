"""``storyline build`` end to end on a Timeline17 sample: CPU, wall time, and are the results the same?

The sample is bench/analyse_same.py's (whole topic folders in a seeded order, every third article with
its date hidden), written at run time as one JSON-lines file into a scratch folder (Timeline17 is read
from ../shared/datasets/timeline17, nothing is copied into the repository); then ``storyline build`` runs
on it as a separate process, with its default engine (both cores). Prints the build's CPU seconds (user +
system of the command and its worker processes) and wall seconds, and can dump every stored table
(articles without their ingest time, analyses without their time of analysis, mentions, time
references, quotes, entities and their links, inferred and corpus dates without their timestamps) and
timeline.json (without its generation stamp) to compare with another run's dump.

    .venv/bin/python bench/build_same.py --limit 600 --dump /tmp/ref.json                 # reference
    .venv/bin/python bench/build_same.py --limit 600 --dump /tmp/new.json --compare /tmp/ref.json

``--profile OUT`` runs the build under ``py-spy record --subprocesses`` (speedscope JSON into OUT).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from analyse_same import compare as compare_tables
from analyse_same import sample
from pubdate_t17 import T17

BIN = Path(sys.executable).parent
TABLES = {
    "articles": "SELECT id, source, title, outlet, publication_date, text, removed, content_id, "
    "hex(minhash), duplicate_of, duplicate_similarity, words, stage_versions FROM articles",
    "analyses": "SELECT article_id, content_id, versions, sentences, time_exprs FROM analyses",
    "mentions": "SELECT * FROM mentions",
    "time_refs": "SELECT * FROM time_refs",
    "quotes": "SELECT * FROM quotes",
    "entities": "SELECT * FROM entities",
    "mention_entities": "SELECT * FROM mention_entities",
    "inferred_dates": "SELECT article_id, date FROM inferred_dates",
    "corpus_dates": "SELECT article_id, date FROM corpus_dates",
}


TICK = os.sysconf("SC_CLK_TCK")


class TreeCpu:
    """User and system CPU seconds of a process and all its descendants, read from /proc every 50 ms
    (getrusage misses worker processes that a forkserver started: nobody waits for the forkserver).
    A process's last 50 ms may be missed."""

    def __init__(self, pid: int) -> None:
        self.root, self.seen = pid, dict[int, tuple[float, float]]()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.stop.wait(0.05):
            stats = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        raw = Path(f"/proc/{entry}/stat").read_text()
                    except OSError:
                        continue
                    fields = raw[raw.rindex(")") + 2 :].split()
                    stats[int(entry)] = (int(fields[1]), int(fields[11]) / TICK, int(fields[12]) / TICK)
            tree, grew = {self.root}, True
            while grew:
                more = {pid for pid, (ppid, _, _) in stats.items() if ppid in tree} - tree
                tree |= more
                grew = bool(more)
            for pid in tree & stats.keys():
                self.seen[pid] = stats[pid][1:]

    def total(self) -> tuple[float, float]:
        self.stop.set()
        self.thread.join()
        return sum(u for u, _ in self.seen.values()), sum(s for _, s in self.seen.values())


def write_sample(limit: int, seed: int, folder: Path) -> Path:
    """The sample as one JSON-lines file: text, outlet, and the folder date unless hidden."""
    path = folder / "t17.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for article in sample(limit, seed):
            row = {"url": f"file://{article.source}", "text": article.raw_text, "outlet": article.outlet}
            if article.publication_date is not None:
                row["date"] = article.publication_date.value
            out.write(json.dumps(row) + "\n")
    return path


def dump(db: Path, timeline: Path) -> dict[str, object]:
    with sqlite3.connect(db) as conn:
        tables: dict[str, object] = {
            name: sorted(map(list, conn.execute(sql)), key=repr) for name, sql in TABLES.items()
        }
    story = json.loads(timeline.read_text(encoding="utf-8"))
    story.pop("generated_at", None)
    tables["timeline.json"] = [[json.dumps(story, sort_keys=True)]]
    return tables


def compare(new: dict[str, list[list[object]]], ref: dict[str, list[list[object]]]) -> int:
    return compare_tables(new, ref, [*TABLES, "timeline.json"])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--processes", type=int, help="--processes for storyline build (default: its own)")
    parser.add_argument("--dump", type=Path, help="write the tables and timeline.json here (JSON)")
    parser.add_argument("--compare", type=Path, help="a reference dump to compare with")
    parser.add_argument("--keep", type=Path, help="build into this folder, kept (default: scratch)")
    parser.add_argument("--profile", type=Path, help="py-spy speedscope profile of the build, into this file")
    args = parser.parse_args()
    if not T17.is_dir():
        print(f"Timeline17 not found at {T17}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        write_sample(args.limit, args.seed, inputs)
        out = args.keep or Path(tmp) / "out"
        if out.exists():
            shutil.rmtree(out)
        command = [str(BIN / "storyline"), "build", str(inputs), "--out", str(out), "--json"]
        if args.processes:
            command += ["--processes", str(args.processes)]
        if args.profile:
            command = [str(BIN / "py-spy"), "record", "--subprocesses", "--format", "speedscope",
                       "-o", str(args.profile), "--", *command]  # fmt: skip
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cpu = TreeCpu(process.pid)
        stdout, stderr = process.communicate()
        wall = time.perf_counter() - started
        user, system = cpu.total()
        if process.returncode:
            print(stdout, stderr, file=sys.stderr)
            return process.returncode
        report, _ = json.JSONDecoder().raw_decode(stdout[stdout.index("{") :])
        n = report["counts"].get("stored", args.limit)
        print(f"{n} articles stored, {report['analysed']} analysed, {report['events']} events")
        per_article = (user + system) / n * 1000
        print(
            f"build: {user:.1f} user + {system:.1f} system CPU s ({per_article:.1f} ms/article),"
            f" {wall:.1f} s wall ({n / wall:.1f} articles/s; the command's own clock: {report['seconds']} s)"
        )
        tables = dump(out / "storyline.db", out / "timeline.json")
    if args.dump:
        args.dump.write_text(json.dumps(tables), encoding="utf-8")
    if args.compare:
        differences = compare(tables, json.loads(args.compare.read_text(encoding="utf-8")))  # type: ignore[arg-type]
        print("SAME" if not differences else f"{differences} rows differ")
        return 1 if differences else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What `storyline update` costs against a full rebuild, on one Timeline17 topic.

The topic's articles (read from ../shared at run time, detokenised, never copied into the repository) are
split by their date folder: the earlier ones are built first, the last ``--later`` share arrives later.
Times three runs, each in a fresh output folder where it needs one: the first build, the update with the
later articles, and a full build of all of them at once; checks that the update's timeline equals the
full build's, and prints wall and CPU seconds.

    .venv/bin/python bench/update_cost.py --topic bpoil_bbc --later 0.1
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storyline.evaluate.tls import detokenise

T17 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "timeline17"
STORYLINE = Path(sys.executable).with_name("storyline")


def _run(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one storyline command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(STORYLINE), *args, "--quiet"], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _timeline(out: Path) -> dict[str, object]:
    document = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    document.pop("generated_at")
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topic", default="bpoil_bbc")
    parser.add_argument("--later", type=float, default=0.1, help="Share of articles that arrive later.")
    args = parser.parse_args(argv)
    files = sorted((T17 / args.topic / "InputDocs").glob("*/*.txt"), key=lambda p: (p.parent.name, p.name))
    if not files:
        print(f"no Timeline17 articles for {args.topic} under {T17}", file=sys.stderr)
        return 2
    split = len(files) - max(1, round(len(files) * args.later))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, part in (("first", files[:split]), ("later", files[split:])):
            folder = root / name
            folder.mkdir()
            for index, path in enumerate(part):
                text = detokenise(path.read_text(encoding="utf-8", errors="replace"))
                (folder / f"{index:05d}-{path.parent.name}-{path.name}").write_text(text, encoding="utf-8")
        first = _run("build", str(root / "first"), "--out", str(root / "grown"))
        update = _run("update", str(root / "later"), "--out", str(root / "grown"))
        full = _run("build", str(root / "first"), str(root / "later"), "--out", str(root / "whole"))
        same = _timeline(root / "grown") == _timeline(root / "whole")
    print(f"topic {args.topic}: {split} articles first, {len(files) - split} later")
    print("| run | wall s | CPU s |\n|---|---|---|")
    for label, (wall, cpu) in (
        ("first build", first),
        ("update (later articles)", update),
        ("full rebuild", full),
    ):
        print(f"| {label} | {wall:.1f} | {cpu:.1f} |")
    share_wall, share_cpu = update[0] / full[0], update[1] / full[1]
    print(f"update / full rebuild: {share_wall:.0%} of the wall time, {share_cpu:.0%} of the CPU")
    print(f"update's timeline equals the full rebuild's: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Timeline summarisation on Timeline17, from raw text, scored as the published work (Perl ROUGE-1.5.5).

Reads ../shared/datasets/timeline17 at run time (nothing is copied into the repository), builds every gold
timeline's counterpart in the published setting and scores it with tilse (align+ m:1 ROUGE-1/2 F, date F1,
averaged by mean precision and recall). Prints the table, the averages against DATEWISE and the wall time
per phase; writes everything (with the system timelines) to --out as JSON.

    .venv/bin/python bench/tls_t17.py --work /tmp/t17work --n-process 2          # all 7 topics, ~15 min
    .venv/bin/python bench/tls_t17.py --rouge python --source H1N1_guardian      # the CI slice

The wall time is "from raw text" only on a fresh --work folder: a reused one skips ingest and analysis of
what it holds (handy to rescore, e.g. with the other ROUGE).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path

from storyline.evaluate.tls import DATEWISE, run_tls

T17 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "timeline17"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=T17)
    parser.add_argument("--work", type=Path, default=None, help="per-topic databases (default: temporary)")
    parser.add_argument("--rouge", choices=["perl", "python"], default="perl")
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--topic", action="append", default=None)
    parser.add_argument("--source", action="append", default=None)
    parser.add_argument("--limit-articles", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the full report as JSON here")
    args = parser.parse_args(argv)
    if not args.dataset.is_dir():
        print(f"Timeline17 not found at {args.dataset}", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="storyline-t17-") as tmp:
        report = run_tls(
            args.dataset,
            args.work or Path(tmp),
            topics=args.topic,
            sources=args.source,
            limit_articles=args.limit_articles,
            rouge=args.rouge,
            n_process=args.n_process,
            log=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
    print(f"{'timeline':44} {'dates':>7} {'k':>2} {'AR-1 F':>7} {'AR-2 F':>7} {'date F1':>7}")
    for r in report.results:
        s = r.scores
        print(
            f"{r.label:44} {r.system_dates:>3}/{r.gold_dates:<3} {r.sentences_per_date:>2} "
            f"{s['rouge_1']['f_score']:7.3f} {s['rouge_2']['f_score']:7.3f} {s['date']['f_score']:7.3f}"
        )
    avg = report.average
    print(
        f"{'average (' + str(len(report.results)) + ' timelines)':44} {'':7} {'':2} "
        f"{avg['rouge_1']['f_score']:7.3f} {avg['rouge_2']['f_score']:7.3f} {avg['date']['f_score']:7.3f}"
    )
    print(
        f"{'DATEWISE (published, 9 topics)':44} {'':7} {'':2} "
        f"{DATEWISE['rouge_1']:7.3f} {DATEWISE['rouge_2']:7.3f} {DATEWISE['date']:7.3f}"
    )
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    c = report.counts
    print(
        f"wall time {report.wall_seconds:.1f} s ({phases}); {c['articles-read']} articles read, "
        f"{c['articles-stored']} newly stored, {c['articles-analysed']} analysed"
    )
    if args.out:
        args.out.write_text(json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark of the web app (`storyline serve`) on one database of all Timeline17 articles.

    .venv/bin/python bench/web_load.py --work /tmp/storyline-web-load            # build once, then measure
    .venv/bin/python bench/web_load.py --work /tmp/storyline-web-load --build-only

Phases:
    build   (once, cached in --work/t17.db): every topic's InputDocs/*.txt of ../shared/datasets/timeline17,
            read and detokenised as the TLS benchmark does (storyline.evaluate.tls.read_articles), ingested
            into ONE database, then analysed with --processes spaCy processes (~10-15 min on 2 cores).
    serve   `storyline serve --db --port` as a subprocess; the time until it first answers "/" is the
            startup (cache building) time.
    load    wrk (Debian package `wrk`) over loopback, --duration seconds and --connections connections per
            URL: timeline, filtered timeline, events, one event, entities, one entity, articles, one article,
            search, and their /api twins. Prints p50/p95/p99 latency and requests/s per URL; --json writes
            the table as JSON too.

The target is p95 < 200 ms per page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
T17 = REPO.parent / "shared" / "datasets" / "timeline17"
STORYLINE = Path(sys.executable).with_name("storyline")
TARGET_P95_MS = 200.0

# wrk prints latency percentiles only with --latency; a Lua done() hook gives exact ones in microseconds.
_WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_us=%d errors=%d non2xx=%d p50=%d p95=%d p99=%d max=%d\\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


# --------------------------------------------------------------------------------------------- build


def build_database(dataset: Path, work: Path, n_process: int, batch_size: int = 500) -> Path:
    """The one database of all Timeline17 articles, built once: a rerun reuses ``work/t17.db`` (and an
    interrupted analysis resumes where it stopped)."""
    from storyline.analyse import analyse
    from storyline.config import resolve_settings
    from storyline.evaluate.tls import ingest_articles, read_articles, read_dataset
    from storyline.store import open_store

    work.mkdir(parents=True, exist_ok=True)
    db = work / "t17.db"
    done = work / "t17.done"
    if done.is_file() and db.is_file():
        return db
    settings = resolve_settings(db=db)
    started = time.perf_counter()
    with open_store(db) as store:
        for topic in read_dataset(dataset):
            counts = ingest_articles(read_articles(topic), store, settings)
            log(f"ingest {topic.name}: {counts['read']} read, {counts['stored']} new")
        log(f"ingested in {time.perf_counter() - started:.0f} s; analysing with {n_process} processes")
        t = time.perf_counter()
        # Big batches: every batch starts n_process fresh spaCy workers, each loading the model again.
        report = analyse(store, n_process=n_process, batch_size=batch_size)
        log(f"analysed {report.counts['analysed']} articles in {time.perf_counter() - t:.0f} s")
        articles = store.count_articles()
    done.write_text(
        json.dumps({"articles": articles, "build_seconds": round(time.perf_counter() - started)}) + "\n",
        encoding="utf-8",
    )
    return db


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------- serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_idle(base: str, limit: float = 600.0) -> float:
    """Seconds until /api/status says no correction follow-up or rebuild is under way."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        _, body = get(base + "/api/status")
        if not json.loads(body)["updating"]:
            break
        time.sleep(0.2)
    return time.perf_counter() - started


def get(url: str, timeout: float = 60.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def start_server(db: Path, port: int, log_path: Path) -> tuple[subprocess.Popen[bytes], float]:
    """Start `storyline serve` and wait until "/" answers; returns the process and the seconds that
    took (the app builds its cache at startup)."""
    started = time.perf_counter()
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [str(STORYLINE), "serve", "--db", str(db), "--port", str(port)], stdout=out, stderr=out
        )
    deadline = started + 600
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"storyline serve exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            status, _ = get(f"http://127.0.0.1:{port}/", timeout=60)
            if status == 200:
                return proc, time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("storyline serve did not answer within 600 s")


def _first_id(payload: Any, keys: tuple[str, ...]) -> str | None:
    """The first item id in an API list response, whatever the wrapping key."""
    if isinstance(payload, dict):
        for key in keys:
            if isinstance(payload.get(key), list) and payload[key]:
                item = payload[key][0]
                return str(item.get("id") or item.get("event_id") or item.get("entity_id"))
        for value in payload.values():
            if isinstance(value, list) and value and isinstance(value[0], dict) and "id" in value[0]:
                return str(value[0]["id"])
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        return str(payload[0].get("id"))
    return None


def page_urls(base: str) -> list[tuple[str, str]]:
    """(label, path) for every measured page; ids are the first of each API list."""

    def first(path: str, keys: tuple[str, ...]) -> str:
        status, body = get(base + path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        found = _first_id(json.loads(body), keys)
        if not found:
            raise SystemExit(f"{path}: no id in the response")
        return urllib.parse.quote(found, safe="")

    event = first("/api/events", ("events", "items"))
    entity = first("/api/entities", ("entities", "items"))
    article = first("/api/articles", ("articles", "items"))
    filtered = "q=oil&start=2010-05&end=2010-08"
    pages = [
        ("timeline", "/"),
        ("timeline filtered", f"/?{filtered}"),
        ("events", "/events"),
        ("event", f"/events/{event}"),
        ("entities", "/entities"),
        ("entity", f"/entities/{entity}"),
        ("articles", "/articles"),
        ("article", f"/articles/{article}"),
        ("search", "/search?q=protesters"),
    ]
    api = []
    for label, path in pages:
        twin = "/api/timeline" + path[1:] if path.startswith("/?") or path == "/" else "/api" + path
        api.append((f"api {label}", twin))
    return pages + api


def measure_correction(base: str, article_id: str) -> dict[str, float]:
    """Seconds a user waits for a date correction (POST, which re-analyses the article), for the first
    page after it (the app rebuilds its cache), and for removing the correction again."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/", timeout=600).read()
    token = next(c.value for c in jar if c.name == "storyline_csrf")

    def post(body: dict[str, Any]) -> float:
        request = urllib.request.Request(
            f"{base}/api/articles/{article_id}/date",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": str(token)},
            method="POST",
        )
        t = time.perf_counter()
        opener.open(request, timeout=600).read()
        return time.perf_counter() - t

    def page() -> float:
        t = time.perf_counter()
        opener.open(base + "/", timeout=600).read()
        return time.perf_counter() - t

    found = {"set date": post({"date": "2010-01-01"}), "first page after": page()}
    found["remove correction"] = post({"clear": True})
    found["first page after removal"] = page()
    return found


# --------------------------------------------------------------------------------------------- load


def run_wrk(url: str, duration: int, connections: int, script: Path) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise SystemExit(f"wrk gave no result for {url}:\n{out}")
    fields = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    seconds = fields["duration_us"] / 1e6
    return {
        "requests": fields["requests"],
        "errors": fields["errors"] + fields["non2xx"],
        "rps": fields["requests"] / seconds if seconds else 0.0,
        "p50_ms": fields["p50"] / 1000,
        "p95_ms": fields["p95"] / 1000,
        "p99_ms": fields["p99"] / 1000,
        "max_ms": fields["max"] / 1000,
    }


def print_table(db: Path, startup: float, args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    print(f"database {db}; startup until the first page answered: {startup:.1f} s")
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"wrk: 1 thread, {args.connections} connections, {args.duration} s per URL, loopback")
    print()
    print("| page | path | status | KiB | p50 ms | p95 ms | p99 ms | req/s | p95 < 200 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ok = "yes" if r["p95_ms"] < TARGET_P95_MS and not r["errors"] else "NO"
        print(
            f"| {r['page']} | `{r['path']}` | {r['status']} | {r['bytes'] / 1024:.0f} | {r['p50_ms']:.1f} "
            f"| {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps']:.1f} | {ok} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=T17)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "storyline-web-load")
    parser.add_argument("--processes", type=int, default=2, help="spaCy processes for the one-off analysis")
    parser.add_argument("--batch-size", type=int, default=500, help="articles per spaCy worker start")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--db", type=Path, default=None, help="measure this database instead of T17")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per URL")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--only", action="append", default=None, help="measure only pages with this label")
    parser.add_argument("--json", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--no-correction", action="store_true", help="skip timing a date correction")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    if args.db is None:
        if not args.dataset.is_dir():
            log(f"Timeline17 not found at {args.dataset}")
            return 2
        db = build_database(args.dataset, args.work, args.processes, args.batch_size)
    else:
        db = args.db
    if args.build_only:
        log(f"database ready: {db}")
        return 0
    if not shutil.which("wrk"):
        log("wrk not found: apt-get install wrk")
        return 2

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args.work.mkdir(parents=True, exist_ok=True)
    proc, startup = start_server(db, port, args.work / "serve.log")
    results: list[dict[str, Any]] = []
    correction: dict[str, float] = {}
    try:
        urls = page_urls(base)
        article_id = urllib.parse.unquote(dict(urls)["article"].rsplit("/", 1)[1])
        if args.only:
            urls = [(label, path) for label, path in urls if label in args.only]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_WRK_REPORT)
        try:
            for label, path in urls:
                status, body = get(base + path)
                row: dict[str, Any] = {"page": label, "path": path, "status": status, "bytes": len(body)}
                row.update(run_wrk(base + path, args.duration, args.connections, Path(script.name)))
                results.append(row)
                log(f"{label:22} p95 {row['p95_ms']:8.1f} ms  {row['rps']:7.1f} req/s")
        finally:
            os.unlink(script.name)
        print_table(db, startup, args, results)
        if not args.no_correction:
            try:
                correction = measure_correction(base, article_id)
                correction["until the views show it"] = wait_until_idle(base)
            except urllib.error.HTTPError as err:
                log(f"the date correction failed: HTTP {err.code} (see {args.work / 'serve.log'})")
            for what, seconds in correction.items():
                print(f"date correction, {what}: {seconds:.2f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=300)  # the app finishes a queued correction's follow-up before it exits

    if args.json:
        args.json.write_text(
            json.dumps(
                {"db": str(db), "startup_seconds": startup, "correction": correction, "results": results},
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

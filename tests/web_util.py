"""Helpers for the web app's end-to-end tests: build a corpus with the real CLI, run `storyline serve` on it
as a subprocess, and drive Debian's chromium with playwright (never playwright's own downloaded browsers).

The browser tests skip, with the reason, when chromium or playwright is missing, unless
STORYLINE_REQUIRE_BROWSER=1 (CI sets it) makes that a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("STORYLINE_CHROMIUM", "/usr/bin/chromium"))
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# The venv's own entry point, so the tests run the checkout under test whatever PATH says.
STORYLINE = Path(sys.executable).with_name("storyline")


def require_browser() -> Any:
    """playwright's sync API, or a skip (a failure under STORYLINE_REQUIRE_BROWSER=1) saying what is
    missing."""
    missing = None
    try:
        from playwright import sync_api
    except ImportError:
        missing = "the Python package playwright is not installed (pip install -e '.[dev]')"
        sync_api = None
    if missing is None and not CHROMIUM.is_file():
        missing = f"chromium not found at {CHROMIUM} (apt-get install chromium; see .ci/run)"
    if missing:
        if os.environ.get("STORYLINE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"STORYLINE_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    return sync_api


def require_serve() -> None:
    """Fail, naming the import error, when the web app cannot be imported (the tests need it)."""
    try:
        import storyline.web  # noqa: F401
    except ImportError as err:
        pytest.fail(f"storyline.web cannot be imported: {err}")


class CorpusBuild:
    """`storyline build INPUTS --out OUT` with the venv's CLI, started in the background so that several
    corpora build at once; :meth:`db` waits for it and returns the database it wrote."""

    def __init__(self, inputs: list[Path], out: Path) -> None:
        self.out = out
        self.proc = subprocess.Popen(
            [str(STORYLINE), "build", *map(str, inputs), "--out", str(out), "--quiet"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def db(self, timeout: float = 300) -> Path:
        output, _ = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode == 0, f"storyline build failed:\n{output}"
        return self.out / "storyline.db"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db: Path, log: Path, timeout: float = 60.0) -> Iterator[str]:
    """Run `storyline serve --db DB` on a free loopback port until the block ends; yields its base URL
    once "/" answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(STORYLINE), "serve", "--db", str(db), "--port", str(port)], stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"storyline serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(base + "/", timeout=10) as response:
                    if response.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"storyline serve did not answer within {timeout} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


# ------------------------------------------------------------------------------------------ hostile corpus

# Each payload would show itself if rendered unescaped: a dialog, an <img src=x>, an <svg>, a script element
# or a javascript: link. The CSP alone would stop the dialogs, so the tests look at the DOM as well.
SCRIPT = '<script>alert("xss-script")</script>'
IMG = '"><img src=x onerror=alert("xss-img")>'
SVG = "'><svg onload=alert('xss-svg')>"
JS_URL = "javascript:alert('xss-url')"

_STORY = (
    "Mayor Helen Okafor of Riverton said on Monday that the flood barrier on the Marsh River held overnight. "
    "The Riverton Water Board reported that the river peaked at 6.1 metres on March 3, 2024. "
    '"We kept the water out of the old town," Okafor told reporters at City Hall. '
    "Engineers from the Marsh Valley Authority inspected the barrier on Tuesday and found no damage. "
)


def write_xss_corpus(folder: Path) -> Path:
    """A JSONL export whose title, outlet, url and text carry script tags, attribute breakers and
    javascript: URLs (and the entity names too, through the text), around an ordinary news story."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "title": f"Flood barrier holds {SCRIPT}",
            "outlet": f"Riverton Post {IMG}",
            "url": "https://example.org/flood-barrier?x=%22%3E%3Cimg%20src%3Dx%3E",
            "date": "2024-03-04",
            "text": f"{_STORY}Residents posted {SCRIPT} and {IMG} on the council's forum. "
            f"A link read {JS_URL} and another [click]({JS_URL}). Helen {SVG} Okafor thanked volunteers.",
        },
        {
            "title": f"Barrier inspection {IMG}",
            "outlet": f"Valley Courier {SCRIPT}",
            "url": JS_URL,
            "date": "2024-03-05",
            "text": f"{_STORY}The Marsh Valley Authority said the repairs cost {IMG} nothing. "
            f'Okafor said: "{SCRIPT} was a prank on our website." See {JS_URL} for nothing.',
        },
        {
            "title": f"River falls {SVG}",
            "outlet": JS_URL,
            "url": "https://example.org/river-falls",
            "date": "2024-03-06",
            "text": f"{_STORY}By Wednesday the Marsh River had fallen to 4 metres. <b>Bold</b> {SVG} "
            f'<a href="{JS_URL}">a link</a> and <iframe src="{JS_URL}"></iframe> closed the report.',
        },
    ]
    path = folder / "xss.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path

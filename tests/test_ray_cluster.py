"""``--ray-address``: the analysis runs on an existing Ray cluster, one started apart from storyline with
``ray start --head`` (as on a real cluster's head node), and stores what the local engine stores.

The cluster is this machine's only node, started for this module and stopped after it (about 15 seconds
in all). Skipped when Ray is not installed, unless STORYLINE_REQUIRE_RAY=1 (then a missing Ray fails it).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLES, require_ray
from faults_util import ANALYSIS_TABLES, ARTICLE_TABLES, table_contents
from storyline.analyse import analyse
from storyline.config import Settings
from storyline.pipeline import ingest
from storyline.store import open_store

CORPUS = EXAMPLES / "riverton-flood"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """The address of a Ray head started by ``ray start --head --block`` in its own process group."""
    require_ray()
    port = _free_port()
    head = subprocess.Popen(
        [str(BIN / "ray"), "start", "--head", "--block", f"--port={port}", "--num-cpus=2"]
        + ["--include-dashboard=false", "--disable-usage-stats"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the teardown stops the head and its workers
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if head.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Ray head did not start (exit status {head.poll()})")
                time.sleep(0.3)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # the head's processes stop; `ray start` itself may linger
        try:
            head.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(10)


def _ingested(db: Path) -> None:
    with open_store(db) as store:
        report = ingest([CORPUS], store, Settings(db=db))
        assert report.counts["stored"] > 10 and not report.failures


def test_analyse_on_an_existing_cluster_stores_what_the_local_engine_stores(
    tmp_path: Path, ray_cluster: str
) -> None:
    local_db, cluster_db = tmp_path / "local.db", tmp_path / "cluster.db"
    _ingested(local_db)
    with open_store(local_db) as store:
        analyse(store)
    _ingested(cluster_db)
    # A separate process, as a user runs it: its driver connects to the cluster, the cluster's workers
    # (not this process) parse and analyse.
    run = subprocess.run(
        [str(BIN / "storyline"), "analyse", "--db", str(cluster_db), "--engine", "ray"]
        + ["--ray-address", ray_cluster, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    counts = json.loads(run.stdout)["counts"]
    assert counts["analysed"] == counts["articles"] > 10
    tables = ARTICLE_TABLES + ANALYSIS_TABLES
    local, on_cluster = table_contents(local_db, tables), table_contents(cluster_db, tables)
    assert all(local[table] for table in ("articles", "mentions", "time_refs", "quotes", "entities"))
    for table in tables:
        assert on_cluster[table] == local[table], table


def test_a_cluster_that_goes_away_is_named_in_the_error(tmp_path: Path) -> None:
    """No cluster at the address: the command fails at once, naming it, and stores nothing."""
    db = tmp_path / "story.db"
    _ingested(db)
    address = f"127.0.0.1:{_free_port()}"
    run = subprocess.run(
        [str(BIN / "storyline"), "analyse", "--db", str(db), "--engine", "ray", "--ray-address", address],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert f"cannot reach the Ray cluster at {address}" in run.stderr
    with open_store(db) as store:
        assert sum(1 for _ in store.iter_articles()) > 10
        assert all(store.get_analysis(a.id) is None for a in store.iter_articles())

"""Engines: the per-article work gives the same stored rows whether it runs here or on Ray workers.

The Ray tests start a local Ray of two CPUs (about ten seconds) and are skipped when Ray is not
installed, unless STORYLINE_REQUIRE_RAY=1 (then a missing Ray fails them).
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, require_ray
from faults_util import ANALYSIS_TABLES, ARTICLE_TABLES, table_contents
from storyline import engines
from storyline.analyse import analyse
from storyline.cli import cli
from storyline.config import Settings
from storyline.engines import batched, get_engine
from storyline.errors import ConfigError, MissingDependencyError
from storyline.pipeline import ingest
from storyline.store import open_store

CORPUS = EXAMPLES / "riverton-flood"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[ModuleType]:
    """A local Ray of two CPUs, started for these tests and stopped after them."""
    ray = require_ray()
    ray.init(
        address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR
    )
    yield ray
    ray.shutdown()


def test_batches_are_consecutive_and_lazy() -> None:
    consumed: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(7):
            consumed.append(n)
            yield n

    batches = batched(numbers(), 3)
    assert next(batches) == [0, 1, 2]
    assert consumed == [0, 1, 2]  # nothing read ahead of the batch asked for
    assert list(batches) == [[3, 4, 5], [6]]


def test_the_local_engine_maps_batches_in_order() -> None:
    with get_engine("local") as engine:
        assert list(engine.map_batches(sum, range(10), 4)) == [6, 22, 17]


def test_an_unknown_engine_or_a_misplaced_address_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown engine 'spark'"):
        get_engine("spark")
    with pytest.raises(ConfigError, match="--ray-address needs --engine ray"):
        get_engine("local", ray_address="ray://head:10001")


def test_a_missing_ray_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails as if it were not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'storyline\[ray\]'"):
        get_engine("ray")


def test_an_unreachable_cluster_fails_at_once_naming_its_address() -> None:
    from storyline.engines.ray_engine import check_reachable

    with socket.socket() as listener:  # a port nothing listens on once closed
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    with pytest.raises(ConfigError, match=f"cannot reach the Ray cluster at ray://127.0.0.1:{port}"):
        check_reachable(f"ray://127.0.0.1:{port}")
    with pytest.raises(ConfigError, match="not a Ray address"):
        check_reachable("head:port")


def _build(db: Path, engine_name: str, processes: int | None = None) -> None:
    """Ingest and analyse the example corpus with small batches, so that several run at once."""
    settings = Settings(db=db, batch_size=5)
    with open_store(db) as store, get_engine(engine_name, processes=processes) as engine:
        report = ingest([CORPUS], store, settings, engine=engine)
        assert report.counts["stored"] > 10 and not report.failures
        analyse(store, engine=engine, batch_size=3)


def test_ray_and_local_engines_store_identical_results(tmp_path: Path, local_ray: ModuleType) -> None:
    _build(tmp_path / "local.db", "local")
    _build(tmp_path / "ray.db", "ray")
    tables = ARTICLE_TABLES + ANALYSIS_TABLES
    local, on_ray = table_contents(tmp_path / "local.db", tables), table_contents(tmp_path / "ray.db", tables)
    assert all(local[table] for table in ("articles", "mentions", "time_refs", "quotes", "entities"))
    for table in tables:
        assert on_ray[table] == local[table], table
    assert local_ray.is_initialized()  # the engine leaves a Ray it did not start running


def test_local_worker_processes_store_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two processes the articles are parsed and analysed in worker processes, a few per task;
    what is stored is the same, in the same order."""
    monkeypatch.setattr(engines, "TASK_BATCH", 3)  # several tasks, both workers busy
    _build(tmp_path / "one.db", "local", processes=1)
    _build(tmp_path / "two.db", "local", processes=2)
    tables = ARTICLE_TABLES + ANALYSIS_TABLES
    one, two = table_contents(tmp_path / "one.db", tables), table_contents(tmp_path / "two.db", tables)
    assert all(one[table] for table in ("articles", "mentions", "time_refs", "quotes", "entities"))
    for table in tables:
        assert two[table] == one[table], table


def test_ray_keeps_the_order_of_batches_and_raises_the_workers_error(local_ray: ModuleType) -> None:
    with get_engine("ray", processes=8) as engine:  # no more workers than the cluster's CPUs
        assert engine.workers == 2
        # Batches of different sizes finish out of order; their results must not.
        assert list(engine.map_batches(sum, [1000, 1, 2, 3, 4, 5, 6], 2)) == [1001, 5, 9, 6]
        with pytest.raises(TypeError, match="unsupported operand"):
            list(engine.map_batches(sum, [1, 2, "three", 4], 2))


def test_analyse_command_runs_on_ray(tmp_path: Path, local_ray: ModuleType) -> None:
    db = tmp_path / "story.db"
    with open_store(db) as store:
        ingest([CORPUS / "wire"], store, Settings(db=db))
    result = CliRunner().invoke(cli, ["analyse", "--db", str(db), "--engine", "ray", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["analysed"] == counts["articles"] > 0


def test_an_unknown_engine_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyse", "--db", str(tmp_path / "x.db"), "--engine", "nope"])
    assert result.exit_code == 2
    assert "'nope' is not one of 'local', 'ray'" in result.output
    result = CliRunner().invoke(cli, ["analyse", "--db", str(tmp_path / "x.db"), "--ray-address", "h:6379"])
    assert result.exit_code == 2
    assert "--ray-address needs --engine ray" in result.output

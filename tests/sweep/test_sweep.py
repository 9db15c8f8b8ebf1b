"""`secretshift sweep` on a real Dask LocalCluster (2 worker processes) over generated
repositories with secrets planted in their histories."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from secretshift import cli
from secretshift.sweep import gitops
from secretshift.sweep.inventory import discover
from secretshift.sweep.run import run_sweep
from secretshift.sweep.tasks import Limits, SweepOptions
from tests.sweep.repos import Plant, add_commit_with_secret, git, make_broken, make_fleet

FLEET = 20


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Plant]]:
    root = tmp_path_factory.mktemp("fleet")
    plants = make_fleet(root / "org", FLEET)
    make_broken(root / "org")
    return root / "org", plants


def _copy(fleet: tuple[Path, list[Plant]], tmp_path: Path) -> tuple[Path, list[Plant]]:
    root, plants = fleet
    target = tmp_path / "org"
    shutil.copytree(root, target, symlinks=True)
    return target, plants


def _report(out: Path) -> dict[str, Any]:
    return json.loads((out / "report.json").read_text())


def _found(report: dict[str, Any]) -> Counter[tuple[str, str, str, str]]:
    return Counter((f["repo"], f["commit"], f["path"], f["secret_hash"])
                   for repo in report["repositories"] for f in repo["findings"])


def _assert_each_found_once(report: dict[str, Any], plants: list[Plant]) -> None:
    found = _found(report)
    for plant in plants:
        assert found[(plant.repo, plant.commit, plant.path, plant.sha1)] == 1, plant
    # nothing beyond the plants: no duplicates, no strays
    assert sum(found.values()) == len(plants), sorted(found)


def test_sweep_finds_every_planted_secret_once_and_reports_the_broken_repository(
        fleet: tuple[Path, list[Plant]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, plants = fleet
    out = tmp_path / "out"
    code = cli.main(["sweep", str(root), "--out", str(out), "--workers", "2",
                     "--format", "json", "--format", "sarif", "--format", "html"])
    assert code == 2, "a repository that could not be scanned makes the sweep incomplete (exit 2)"
    report = _report(out)
    assert report["totals"]["repositories"] == FLEET + 1
    assert report["totals"]["failed"] == 1
    broken = next(r for r in report["repositories"] if r["name"] == "corrupt")
    assert broken["status"] == "error" and broken["error"]
    assert all(r["status"] == "ok" for r in report["repositories"] if r["name"] != "corrupt")
    _assert_each_found_once(report, plants)
    err = capsys.readouterr().err
    assert f"{FLEET + 1}/{FLEET + 1} repositories" in err
    # no plaintext anywhere in what the sweep wrote
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for plant in plants:
        assert plant.value.encode() not in written
    # SARIF: one run per repository, valid against the schema
    from tests.conftest import sarif_schema
    import jsonschema

    sarif = json.loads((out / "report.sarif").read_text())
    jsonschema.validate(sarif, sarif_schema())
    assert len(sarif["runs"]) == FLEET + 1
    # the merged report names the next step per repository
    assert all(r["migrate_command"].startswith("secretshift migrate plan ")
               for r in report["repositories"] if r["status"] == "ok")


def test_rerun_skips_unchanged_repositories_and_scans_only_new_commits(
        fleet: tuple[Path, list[Plant]], tmp_path: Path) -> None:
    root, plants = _copy(fleet, tmp_path)
    shutil.rmtree(root / "corrupt")
    out = tmp_path / "out"
    assert cli.main(["sweep", str(root), "--out", str(out), "--workers", "2"]) == 1
    first = _report(out)
    _assert_each_found_once(first, plants)
    added = [add_commit_with_secret(root / "svc-03", 9003), add_commit_with_secret(root / "svc-11", 9011)]
    repos = discover([str(root)])
    options = SweepOptions(cache_dir=str(tmp_path / "cache"))
    run = run_sweep(repos, out, options, workers=2)
    runs = {r.name: r.last_run for r in run.records}
    assert runs.pop("svc-03") == "incremental" and runs.pop("svc-11") == "incremental"
    assert set(runs.values()) == {"unchanged"}
    assert run.scanned == 2 and run.unchanged == FLEET - 2
    changed = {r.name: r for r in run.records if r.last_run == "incremental"}
    assert changed["svc-03"].commits == next(r for r in first["repositories"] if r["name"] == "svc-03")["commits"] + 1
    from secretshift.commands.sweep import write_reports

    write_reports(run.records, out, ["json"])
    _assert_each_found_once(_report(out), plants + added)


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(
        fleet: tuple[Path, list[Plant]], tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    root, plants = _copy(fleet, tmp_path)
    shutil.rmtree(root / "corrupt")
    out = tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=50) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        outcome: dict[str, Any] = {}

        def sweep() -> None:
            outcome["run"] = run_sweep(discover([str(root)]), out, SweepOptions(cache_dir=str(tmp_path / "c")),
                                       scheduler=cluster.scheduler_address)

        thread = threading.Thread(target=sweep)
        thread.start()
        victim, deadline = None, time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            busy = [address for address, keys in client.processing().items() if keys]
            victim = busy[0] if busy else None
            time.sleep(0.01)
        assert victim is not None, "no task ever ran"
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive()
    run = outcome["run"]
    assert run.failed == 0
    from secretshift.commands.sweep import write_reports

    write_reports(run.records, out, ["json"])
    _assert_each_found_once(_report(out), plants)


def test_large_histories_are_cut_into_disjoint_ranges_with_the_same_findings(tmp_path: Path) -> None:
    from tests.sweep.repos import commit

    repo = tmp_path / "monolith"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    plants = []
    for i in range(240):
        files = {f"mod{i % 7}.py": f"VALUE_{i} = {i}\n"}
        if i % 40 == 7:
            plant = add_commit_with_secret(repo, 7000 + i)
            plants.append(plant)
        commit(repo, f"change {i}", files)
        if i == 120:  # a merged side branch in the middle
            git(repo, "checkout", "-q", "-b", "side", "HEAD~30")
            plants.append(add_commit_with_secret(repo, 8000))
            git(repo, "checkout", "-q", "main")
            git(repo, "merge", "-q", "--no-edit", "side")
    tips = gitops.ref_tips(str(repo), 30)
    include = sorted(set(tips.values()))
    ranges = gitops.split(str(repo), include, [], 4, tips["HEAD"], 30)
    assert len(ranges) == 4
    every = set(git(repo, "rev-list", "--all").split())
    seen: list[str] = []
    for span in ranges:
        revs = [*span.include, *(f"^{x}" for x in span.exclude)]
        seen += git(repo, "rev-list", *revs).split()
    assert len(seen) == len(set(seen)), "ranges overlap"
    assert set(seen) == every, "ranges miss commits"
    out = tmp_path / "out"
    assert cli.main(["sweep", str(repo), "--out", str(out), "--workers", "2", "--split-commits", "100"]) == 1
    report = _report(out)
    _assert_each_found_once(report, plants)
    assert report["repositories"][0]["commits"] == len(every)


def test_sweep_through_a_separate_scheduler_and_worker(fleet: tuple[Path, list[Plant]], tmp_path: Path) -> None:
    from tests.conftest import _free_port

    root, plants = fleet
    port = _free_port()
    bindir = Path(sys.executable).parent
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    worker = subprocess.Popen([str(bindir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1",
                               "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        out = tmp_path / "out"
        repos = tmp_path / "repos.txt"
        names = ["svc-01", "svc-02", "svc-03"]
        repos.write_text("# three of the fleet\n" + "".join(f"{root / n}\n" for n in names))
        proc = subprocess.run([str(bindir / "secretshift"), "sweep", "--repos", str(repos), "--out", str(out),
                               "--scheduler", f"tcp://127.0.0.1:{port}"], capture_output=True, text=True, timeout=180)
        assert proc.returncode == 1, proc.stderr
        _assert_each_found_once(_report(out), [p for p in plants if p.repo in names])
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


def test_remote_repositories_are_mirrored_into_the_cache_and_fetched_again(tmp_path: Path) -> None:
    from tests.sweep.repos import make_service

    origin = tmp_path / "origin"
    plants = make_service(origin, 4)
    url = (origin / "svc-04").as_uri()
    out, cache = tmp_path / "out", tmp_path / "cache"
    listing = tmp_path / "repos.txt"
    listing.write_text(url + "\n")
    args = ["sweep", "--repos", str(listing), "--out", str(out), "--workers", "1", "--cache-dir", str(cache)]
    assert cli.main(args) == 1
    _assert_each_found_once(_report(out), plants)
    assert len(list(cache.glob("*.git"))) == 1
    plants.append(add_commit_with_secret(origin / "svc-04", 4242))
    assert cli.main(args) == 1
    report = _report(out)
    _assert_each_found_once(report, plants)
    assert report["repositories"][0]["last_run"] == "incremental"


def test_limits_end_a_task_and_the_sweep_goes_on(fleet: tuple[Path, list[Plant]], tmp_path: Path) -> None:
    root, _ = fleet
    out = tmp_path / "out"
    # 16 MB of address space cannot even load the scanner: the child dies, the sweep goes on
    code = cli.main(["sweep", str(root / "svc-01"), str(root / "svc-02"), "--out", str(out), "--workers", "1",
                     "--task-memory", "16MB"])
    assert code == 2
    report = _report(out)
    assert [r["status"] for r in report["repositories"]] == ["error", "error"]
    assert all("memory" in r["error"] for r in report["repositories"])


@pytest.mark.parametrize("args, message", [
    (["--since", "last tuesday-ish"], "invalid --since"),
    (["--workers", "0"], "--workers"),
    (["--split-commits", "3"], "--split-commits"),
    (["--task-timeout", "0"], "--task-timeout"),
])
def test_bad_options_are_errors(args: list[str], message: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    assert cli.main(["sweep", str(repo), "--out", str(tmp_path / "o"), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_folder_without_repositories_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty" / "a").mkdir(parents=True)
    assert cli.main(["sweep", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    assert "no git repositories" in capsys.readouterr().err

"""The HTML report as a person sees it: rendered by headless Chromium (Debian's `chromium`),
its DOM read for the totals and its screenshot checked for the chart's bars."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from secretshift import cli
from secretshift.commands.sweep import write_reports
from secretshift.sweep.store import RepoRecord
from tests import fakes
from tests.sweep.repos import git

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
RED, BLUE = (0xCF, 0x22, 0x2E), (0x09, 0x69, 0xDA)


def _finding(repo: str, n: int, rule: str, family: str, secret_hash: str, date: str) -> dict[str, object]:
    return {"rule": rule, "description": "A token", "path": f"src/f{n}.py", "line": n + 1, "column": 5,
            "end_line": n + 1, "end_column": 30, "key": "TOKEN", "secret_hash": secret_hash, "redacted": "ghp_*****",
            "commit": f"{n:040x}", "author_date": date, "family": family}


def _records() -> list[RepoRecord]:
    records = []
    for i, name in enumerate(["payments", "search", "web", "infra"]):
        findings = [_finding(name, n, "github-token" if n % 2 else "aws-secret-access-key",
                             "github" if n % 2 else "aws", f"{(n + i) % 5:040x}", f"202{n % 4}-0{1 + n % 8}-01T00:00:00+00:00")
                    for n in range(i * 3 + 1)]
        records.append(RepoRecord(key=name, name=name, location=f"/srv/git/{name}", rules_version="v", since=None,
                                  status="ok", findings=findings, commits=100 + i, last_run="full"))
    records.append(RepoRecord(key="legacy", name="legacy", location="/srv/git/legacy", rules_version="v", since=None,
                              status="error", error="git rev-list failed: fatal: bad object", last_run="error"))
    return records


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *_FLAGS, f"--user-data-dir={cwd / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.skipif(CHROMIUM is None, reason="LOUD SKIP: Debian's chromium is not installed (.ci/run installs it "
                                             "with apt-get); the HTML report was not rendered")
def test_the_html_report_renders_totals_and_charts_in_chromium(tmp_path: Path) -> None:
    [page] = write_reports(_records(), tmp_path, ["html"])
    dom = _chromium("--dump-dom", page.as_uri(), cwd=tmp_path).stdout
    assert '<div class="card bad" id="total-findings"><b>22</b>findings</div>' in dom
    assert '<div class="card bad" id="total-failed"><b>1</b>failed</div>' in dom
    assert 'id="chart-family"' in dom and 'id="chart-repository"' in dom
    assert "git rev-list failed" in dom
    shot = tmp_path / "shot.png"
    _chromium("--window-size=1200,1000", f"--screenshot={shot}", page.as_uri(), cwd=tmp_path)
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    counts = {rgb: n for n, rgb in colours}
    # the family chart's bars (red) and the repository chart's bars (blue) are drawn
    assert counts.get(RED, 0) > 2000, "family chart bars missing from the screenshot"
    assert counts.get(BLUE, 0) > 2000, "repository chart bars missing from the screenshot"


def test_the_html_report_is_self_contained_and_redacted(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    token = fakes.github_token(31)
    (repo / "deploy.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    out = tmp_path / "scan.html"
    assert cli.main(["scan", str(repo), "--format", "html", "--output", str(out)]) == 1
    page = out.read_text()
    assert token not in page and token[4:20] not in page
    assert "deploy.py" in page and "github" in page
    for needle in ("<script", "src=\"http", "href=\"http", "@import", "url("):
        assert needle not in page
    records = _records()
    [written] = write_reports(records, tmp_path, ["json"])
    assert json.loads(written.read_text())["totals"]["findings"] == 22

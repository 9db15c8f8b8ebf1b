"""Generated repositories with secrets planted in their histories, as teams' repositories have
them: a key committed then removed, one on a feature branch merged later, one only on an
unmerged branch, one added while resolving a merge. Each plant is recorded so the tests can
check every one is found once, in the right repository and commit."""
from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests import fakes


@dataclass(frozen=True)
class Plant:
    repo: str
    commit: str
    path: str
    value: str

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.value.encode()).hexdigest()


def git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "dev@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin",
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def commit(repo: Path, message: str, files: dict[str, str], date: str | None = None) -> str:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    args = ["commit", "-q", "-m", message]
    if date:
        args += ["--date", date]
    git(repo, *args)
    return git(repo, "rev-parse", "HEAD")


def make_service(root: Path, index: int) -> list[Plant]:
    """A small service repository; its plants depend on ``index`` so repositories differ."""
    name = f"svc-{index:02d}"
    repo = root / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    plants = []
    commit(repo, "scaffold", {
        "app/__init__.py": "",
        "app/settings.py": "import os\n\nDEBUG = False\nDATABASE_HOST = os.environ.get('DB_HOST', 'localhost')\n",
        "README.md": f"# {name}\n\nRun `make dev`.\n",
    }, date=f"2023-01-{(index % 27) + 1:02d}T10:00:00")
    key = fakes.github_token(index)
    sha = commit(repo, "wire the deploy bot", {
        "deploy/bot.py": f'# temporary, move to the vault\nGITHUB_TOKEN = "{key}"\n',
    }, date=f"2023-02-{(index % 27) + 1:02d}T10:00:00")
    plants.append(Plant(name, sha, "deploy/bot.py", key))
    commit(repo, "remove the token", {"deploy/bot.py": "import os\nGITHUB_TOKEN = os.environ['GITHUB_TOKEN']\n"})
    if index % 2 == 0:  # a feature branch, merged
        git(repo, "checkout", "-q", "-b", "feature/billing")
        secret = fakes.aws_secret_access_key(index)
        sha = commit(repo, "billing client", {
            "billing/.env": f"AWS_ACCESS_KEY_ID={fakes.aws_access_key_id(index)}\nAWS_SECRET_ACCESS_KEY={secret}\n",
        })
        plants.append(Plant(name, sha, "billing/.env", secret))
        plants.append(Plant(name, sha, "billing/.env", fakes.aws_access_key_id(index)))
        git(repo, "checkout", "-q", "main")
        commit(repo, "docs", {"README.md": f"# {name}\n\nRun `make dev` or `make test`.\n"})
        git(repo, "merge", "-q", "--no-edit", "feature/billing")
    if index % 3 == 0:  # only on a branch nobody merged
        git(repo, "checkout", "-q", "-b", "spike/old-idea")
        secret = fakes.github_token(index + 500)
        sha = commit(repo, "spike", {"spike.py": f'client = Github("{secret}")\n'})
        plants.append(Plant(name, sha, "spike.py", secret))
        git(repo, "checkout", "-q", "main")
    return plants


def make_fleet(root: Path, count: int) -> list[Plant]:
    plants: list[Plant] = []
    for index in range(count):
        plants += make_service(root, index)
    return plants


def add_commit_with_secret(repo: Path, seed: int) -> Plant:
    value = fakes.github_token(seed)
    sha = commit(repo, f"hotfix {seed}", {f"hotfix_{seed}.py": f'TOKEN = "{value}"\n'})
    return Plant(repo.name, sha, f"hotfix_{seed}.py", value)


def make_broken(root: Path) -> Path:
    """A repository whose object store lost a file: ``git log`` fails half-way."""
    repo = root / "corrupt"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "one", {"a.txt": "hello\n"})
    commit(repo, "two", {"b.txt": "world\n"})
    objects = sorted(p for p in (repo / ".git" / "objects").glob("??/*"))
    for path in objects:
        path.chmod(0o644)
        path.write_bytes(b"not a zlib stream")
    return repo

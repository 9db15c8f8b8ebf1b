"""Which commits a CI run must check, read from the CI provider's environment.

GitHub Actions: pull requests use the event file's ``pull_request.base.sha``..``head.sha``
(``GITHUB_SHA`` is a throw-away merge commit there); pushes use ``before``..``after``.
GitLab CI: merge-request pipelines use ``CI_MERGE_REQUEST_DIFF_BASE_SHA``..``CI_COMMIT_SHA``;
branch pipelines ``CI_COMMIT_BEFORE_SHA``..``CI_COMMIT_SHA``. A new branch (all-zero "before")
is checked for the commits no other branch has. ``--base``/``--head`` override everything.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secretshift.errors import FatalError

ZERO_SHA = "0" * 40
_PR_EVENTS = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment")


@dataclass(frozen=True)
class CiRange:
    """What to scan: commits reachable from ``head`` but not from ``base``.

    ``base`` None means a new branch: scan the commits of ``head`` that no other branch has.
    ``head`` None means there is nothing to scan (a deleted branch), for the reason in ``label``.
    """

    provider: str  # "github" | "gitlab" | "local"
    event: str
    base: str | None
    head: str | None
    branch: str | None = None  # the pushed branch, kept out of the "other branches" of a new branch
    note: str = ""
    default_branch: str | None = None  # its commits were checked already (a new branch skips them)

    @property
    def label(self) -> str:
        if self.head is None:
            return f"{self.provider} {self.event}: nothing to scan"
        base = self.base[:12] if self.base else "(new branch)"
        return f"{self.provider} {self.event} {base}..{self.head[:12]}"


def provider_name(env: Mapping[str, str]) -> str:
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    if env.get("GITLAB_CI") == "true":
        return "gitlab"
    return "local"


def detect_range(env: Mapping[str, str], base: str | None = None, head: str | None = None) -> CiRange:
    provider = provider_name(env)
    if base is not None:
        return CiRange(provider, "explicit range", base, head or "HEAD")
    if provider == "github":
        found = _github(env)
    elif provider == "gitlab":
        found = _gitlab(env)
    else:
        raise FatalError("no CI provider detected (neither GITHUB_ACTIONS nor GITLAB_CI is set): pass --base (and --head)")
    if head is not None:
        return CiRange(found.provider, found.event, found.base, head, found.branch, found.note, found.default_branch)
    return found


def _zero(sha: str | None) -> bool:
    return not sha or set(sha) == {"0"}


def _github(env: Mapping[str, str]) -> CiRange:
    event_name = env.get("GITHUB_EVENT_NAME", "")
    event = _github_event(env.get("GITHUB_EVENT_PATH", ""))
    if event_name in _PR_EVENTS:
        pull = _field(event, "pull_request", event_name)
        base = _sha(_field(_field(pull, "base", event_name), "sha", event_name), "pull_request.base.sha")
        head = _sha(_field(_field(pull, "head", event_name), "sha", event_name), "pull_request.head.sha")
        return CiRange("github", event_name, base, head)
    if event_name == "merge_group":
        group = _field(event, "merge_group", event_name)
        return CiRange("github", event_name, _sha(_field(group, "base_sha", event_name), "merge_group.base_sha"),
                       _sha(_field(group, "head_sha", event_name), "merge_group.head_sha"))
    if event_name == "push":
        before = event.get("before")
        after = event.get("after")
        ref = str(event.get("ref") or env.get("GITHUB_REF", ""))
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
        if event.get("deleted") or _zero(str(after or "")):
            return CiRange("github", "push", None, None, branch, "the push deleted a branch")
        after_sha = _sha(after, "after")
        if _zero(str(before or "")):
            repository = event.get("repository")
            default = repository.get("default_branch") if isinstance(repository, dict) else None
            return CiRange("github", "push", None, after_sha, branch, "new branch",
                           default if isinstance(default, str) and default else None)
        return CiRange("github", "push", _sha(before, "before"), after_sha, branch)
    raise FatalError(
        f"GitHub event {event_name or '(unset)'!r} has no commit range: run on pull_request or push, "
        "or pass --base/--head"
    )


def _github_event(path: str) -> dict[str, Any]:
    if not path:
        raise FatalError("GITHUB_EVENT_PATH is not set: cannot read the event that started this workflow")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise FatalError(f"cannot read the GitHub event file {path}: {exc.strerror}") from None
    except ValueError:
        raise FatalError(f"the GitHub event file {path} is not valid JSON") from None
    if not isinstance(data, dict):
        raise FatalError(f"the GitHub event file {path} is not a JSON object")
    return data


def _field(data: Any, name: str, event: str) -> Any:
    if not isinstance(data, dict) or name not in data:
        raise FatalError(f"the GitHub {event} event has no `{name}` field")
    return data[name]


def _sha(value: Any, what: str) -> str:
    text = str(value or "")
    if len(text) not in (40, 64) or any(c not in "0123456789abcdef" for c in text.lower()):
        raise FatalError(f"{what} is not a commit sha: {text[:80]!r}")
    return text


def _gitlab(env: Mapping[str, str]) -> CiRange:
    head = env.get("CI_COMMIT_SHA", "")
    if not head:
        raise FatalError("CI_COMMIT_SHA is not set: cannot tell which commit this pipeline checks")
    head = _sha(head, "CI_COMMIT_SHA")
    branch = env.get("CI_COMMIT_BRANCH") or None
    diff_base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA", "")
    if diff_base:
        return CiRange("gitlab", "merge request", _sha(diff_base, "CI_MERGE_REQUEST_DIFF_BASE_SHA"), head,
                       env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or None)
    before = env.get("CI_COMMIT_BEFORE_SHA", "")
    if _zero(before):
        return CiRange("gitlab", "push", None, head, branch, "new branch or first pipeline",
                       env.get("CI_DEFAULT_BRANCH") or None)
    return CiRange("gitlab", "push", _sha(before, "CI_COMMIT_BEFORE_SHA"), head, branch)

"""Walk the given paths, read every IaC file once, run the checks, apply the exceptions."""
from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from secretshift.adr import cloudformation, kubernetes
from secretshift.adr.hcl import parse_terraform
from secretshift.adr.located import LDict, load_documents
from secretshift.adr.model import AdrResult, Violation
from secretshift.models import Skipped
from secretshift.adr.policy import identity_policy_issues, resource_policy_issues
from secretshift.adr.settings import AdrSettings
from secretshift.adr.terraform import TerraformModule, TfFile
from secretshift.errors import FatalError

_SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".tox", ".mypy_cache", "cdk.out"}
_YAML = (".yaml", ".yml")
_JSON = (".json", ".template")
MAX_FILE_SIZE = 5 * 1024 * 1024


def iter_files(paths: Sequence[str], settings: AdrSettings) -> Iterator[str]:
    for given in paths:
        if os.path.islink(given) and not os.path.exists(given):
            continue
        if os.path.isfile(given):
            yield given
            continue
        if not os.path.isdir(given):
            raise FatalError(f"no such file or directory: {given}")
        for root, dirs, files in os.walk(given):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".venv"))
            for name in sorted(files):
                if name.endswith((".tf", *_YAML, *_JSON)):
                    yield os.path.join(root, name)


def _display(path: str) -> str:
    relative = os.path.relpath(path) if not path.startswith("..") else path
    shown = path if relative.startswith("..") else relative
    return shown.replace(os.sep, "/")


class _Run:
    def __init__(self, settings: AdrSettings) -> None:
        self.settings = settings
        self.violations: list[Violation] = []
        self.skipped: list[Skipped] = []
        self.modules: dict[str, list[TfFile]] = defaultdict(list)
        self.kubernetes = kubernetes.KubernetesTree(settings)
        self.files = 0
        self.pending_k8s: list[tuple[str, LDict]] = []
        self.kustomize_namespaces: dict[str, str] = {}

    def read(self, path: str) -> None:
        shown = _display(path)
        if self.settings.excluded(shown):
            return
        try:
            if os.path.islink(path) or os.path.getsize(path) > MAX_FILE_SIZE:
                self.skipped.append(Skipped(shown, "symlink or larger than 5 MB"))
                return
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.skipped.append(Skipped(shown, f"unreadable ({type(exc).__name__})"))
            return
        if path.endswith(".tf"):
            self._terraform(shown, text)
        else:
            self._structured(shown, text, path.endswith(_JSON))

    def _terraform(self, shown: str, text: str) -> None:
        try:
            blocks = parse_terraform(text)
        except Exception as exc:  # noqa: BLE001 - the parser's errors have many types
            self.skipped.append(Skipped(shown, f"not valid HCL ({type(exc).__name__})"))
            return
        self.files += 1
        self.modules[os.path.dirname(shown)].append(TfFile(shown, tuple(blocks)))

    def _structured(self, shown: str, text: str, is_json: bool) -> None:
        if "{{" in text and not is_json and ("{{ ." in text or "{{- " in text or "{{ include" in text):
            return  # an unrendered Helm template: checked once rendered (helm template)
        try:
            documents = list(load_documents(text, is_json=is_json))
        except Exception as exc:  # noqa: BLE001 - yaml raises several error types
            if is_json or any(k in text for k in ("AWSTemplateFormatVersion", "apiVersion", "Resources:")):
                self.skipped.append(Skipped(shown, f"not valid {'JSON' if is_json else 'YAML'} ({type(exc).__name__})"))
            return
        counted = False
        for document in documents:
            if not isinstance(document, LDict):
                continue
            kind = self._dispatch(shown, document, text)
            counted = counted or kind
        if counted:
            self.files += 1

    def _dispatch(self, shown: str, document: LDict, text: str = "") -> bool:
        if cloudformation.is_template(document):
            self.violations.extend(cloudformation.Template(shown, document, self.settings, text).check())
            return True
        if kubernetes.is_manifest(document):
            if document.get("kind") == "Kustomization":
                self.kustomize_namespaces[os.path.dirname(shown)] = str(document.get("namespace") or "")
            self.pending_k8s.append((shown, document))
            return True
        if os.path.basename(shown) in ("kustomization.yaml", "kustomization.yml") and (
                "secretGenerator" in document or "resources" in document):
            self.kustomize_namespaces[os.path.dirname(shown)] = str(document.get("namespace") or "")
            document["kind"] = "Kustomization"
            self.pending_k8s.append((shown, document))
            return True
        if "Statement" in document and ("Version" in document or isinstance(document.get("Statement"), list)):
            self._policy_json(shown, document)
            return True
        task = document.get("taskDefinition", document)
        if isinstance(task, LDict) and isinstance(task.get("containerDefinitions"), list):
            self._task_definition(shown, task)
            return True
        return False

    def _policy_json(self, shown: str, document: LDict) -> None:
        statements = document.get("Statement")
        items = statements if isinstance(statements, list) else [statements]
        resource_based = any(isinstance(s, dict) and "Principal" in s for s in items)
        if resource_based:
            if "secretsmanager" not in str(document).lower():
                return  # another service's resource policy
            issues = resource_policy_issues(document, document.line)
        else:
            issues = identity_policy_issues(document, self.settings.secret_name_prefixes, document.line)
        name = os.path.splitext(os.path.basename(shown))[0]
        self.violations.extend(Violation(shown, i.line, i.check, f"policy/{name}", i.message, i.fix) for i in issues)

    def _task_definition(self, shown: str, task: LDict) -> None:
        from secretshift.adr.envcheck import env_issues
        from secretshift.adr.terraform import ecs_env_pairs

        family = str(task.get("family") or os.path.splitext(os.path.basename(shown))[0])
        for container in task["containerDefinitions"]:
            if not isinstance(container, dict):
                continue
            for issue in env_issues(ecs_env_pairs(container, task.line), lambda _ref: False):
                if issue.kind == "literal":
                    self.violations.append(Violation(
                        shown, issue.line, "ecs-env-literal-secret", f"task-definition/{family}",
                        f"ECS container environment variable {issue.key} holds a literal secret-like value",
                        '"secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:app/db-AbCdEf"}]'))
                else:
                    self.violations.append(Violation(
                        shown, issue.line, "deploy-time-secret", f"task-definition/{family}",
                        f"ECS container environment variable {issue.key} holds a secret resolved at deploy time",
                        '"secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:app/db-AbCdEf"}]'))

    def merge(self, other: _Run) -> None:
        self.violations.extend(other.violations)
        self.skipped.extend(other.skipped)
        for folder, files in other.modules.items():
            self.modules[folder].extend(files)
        self.files += other.files
        self.pending_k8s.extend(other.pending_k8s)
        self.kustomize_namespaces.update(other.kustomize_namespaces)

    def finish(self) -> list[Violation]:
        for files in self.modules.values():
            self.violations.extend(TerraformModule(files, self.settings).check())
        for shown, document in self.pending_k8s:
            self.kubernetes.add(shown, document, self._namespace_for(shown))
        self.violations.extend(self.kubernetes.finish())
        return self.violations

    def _namespace_for(self, shown: str) -> str:
        folder = os.path.dirname(shown)
        while True:
            if folder in self.kustomize_namespaces and self.kustomize_namespaces[folder]:
                return self.kustomize_namespaces[folder]
            parent = os.path.dirname(folder)
            if parent == folder:
                return ""
            folder = parent


def _read_chunk(paths: Sequence[str], settings: AdrSettings) -> _Run:
    run = _Run(settings)
    for path in paths:
        run.read(path)
    return run


# Reading (parsing HCL above all) is most of the time and each file is read on its own: big trees
# are read by a process pool; the checks that need the whole tree (a Terraform module's files
# together, Secrets across overlays) run afterwards on the merged results.
_PARALLEL_FROM = 300
_CHUNK = 64


def check_paths(paths: Sequence[str], settings: AdrSettings, today: dt.date | None = None) -> AdrResult:
    files = list(iter_files(paths, settings))
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    if len(files) < _PARALLEL_FROM or workers < 2:
        run = _read_chunk(files, settings)
    else:
        from concurrent.futures import ProcessPoolExecutor

        run = _Run(settings)
        chunks = [files[i:i + _CHUNK] for i in range(0, len(files), _CHUNK)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(_read_chunk, chunks, [settings] * len(chunks)):
                run.merge(part)
    return apply_exceptions(run.finish(), settings, today or dt.date.today(), tuple(run.skipped), run.files)


def apply_exceptions(violations: list[Violation], settings: AdrSettings, today: dt.date,
                     skipped: tuple[Skipped, ...] = (), files: int = 0) -> AdrResult:
    kept: list[Violation] = []
    excepted: list[Violation] = []
    for violation in sorted(set(violations)):
        match = next((e for e in settings.exceptions if e.matches(violation)), None)
        if match is None:
            kept.append(violation)
        elif match.expires < today:
            from dataclasses import replace

            kept.append(replace(violation, expired_exception=f"exception expired on {match.expires.isoformat()} ({match.reason})"))
        else:
            excepted.append(violation)
    return AdrResult(tuple(kept), tuple(excepted), skipped, files)


def first_directory(paths: Sequence[str]) -> Path | None:
    for given in paths:
        path = Path(given)
        return path if path.is_dir() else path.parent
    return None



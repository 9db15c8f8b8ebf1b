"""The labelled corpus (generated, seeded): secretshift must keep precision and recall >= 0.95."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretshift.config import Config
from secretshift.pipeline import scan_paths
from tests.corpus.generate import build
from tests.corpus.score import Score, score


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    build(root)
    return root


@pytest.fixture(scope="module")
def result(corpus: Path) -> Score:
    labels = json.loads((corpus / "labels.json").read_text())
    findings = scan_paths([str(corpus / "files")], Config(), use_git=False).findings
    return score([(f.path, f.line) for f in findings], labels["positives"])


def test_corpus_is_large_and_diverse(corpus: Path) -> None:
    labels = json.loads((corpus / "labels.json").read_text())
    kinds = {p["kind"] for p in labels["positives"]}
    assert len(labels["positives"]) >= 300
    assert labels["negatives"] >= 900
    for kind in ("dotenv", "yaml", "kubernetes", "k8s-secret", "helm", "compose", "cloudformation",
                 "github-workflow", "json", "notebook", "ecs-task", "docker-config", "terraform",
                 "properties", "ini", "toml", "xml", "python", "javascript", "typescript", "go", "java",
                 "csharp", "ruby", "php", "shell", "dockerfile"):
        assert kind in kinds, kind


def test_corpus_is_deterministic(corpus: Path, tmp_path: Path) -> None:
    again = build(tmp_path)
    assert again == json.loads((corpus / "labels.json").read_text())


def test_precision(result: Score) -> None:
    assert result.precision >= 0.95, result.false_positives[:20]


def test_recall(result: Score) -> None:
    assert result.recall >= 0.95, result.false_negatives[:20]


def test_every_kind_is_recalled(result: Score) -> None:
    weak = {kind: r for kind, r in result.per_kind_recall.items() if r < 0.8}
    assert weak == {}

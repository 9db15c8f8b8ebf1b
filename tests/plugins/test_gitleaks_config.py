"""A team moving from gitleaks keeps its custom rules: `rule_files` and `--rules` read a gitleaks /
betterleaks `.gitleaks.toml`; what cannot be mapped is an error naming the rule."""
from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.errors import FatalError
from secretshift.scanner.gitleaks import import_gitleaks, with_secret_group
from secretshift.scanner.rules import load_toml

# The shape of a real team's .gitleaks.toml: extend the defaults, two in-house token formats (one
# with secretGroup, one with entropy and a path), allowlists old and new style.
GITLEAKS_TOML = r"""
title = "acme gitleaks config"

[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-internal-token"
description = "ACME internal service token"
regex = '''(?i)\b(acme_(?:svc|ci)_[a-z0-9]{32})(?:['"\s;]|$)'''
secretGroup = 1
keywords = ["acme_svc_", "acme_ci_"]
tags = ["internal"]

  [[rules.allowlists]]
  description = "the documented sample"
  regexes = ['''acme_svc_0{32}''']

[[rules]]
id = "acme-vault-unseal"
description = "ACME vault unseal key in deploy configs"
regex = '''unseal_key\s*=\s*"([A-Za-z0-9+/]{43}=)"'''
entropy = 3.5
path = '''(?:^|/)deploy/.*\.hcl$'''

  [rules.allowlist]
  paths = ['''deploy/examples/''']

[allowlist]
description = "global"
paths = ['''(?:^|/)third_party/''']
"""


def _token(seed: int, prefix: str = "acme_svc_") -> str:
    rng = random.Random(seed)
    return prefix + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(32))


def _unseal(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(43)) + "="


def _project(tmp_path: Path) -> Path:
    (tmp_path / ".gitleaks.toml").write_text(GITLEAKS_TOML)
    (tmp_path / ".secretshift.toml").write_text('rule_files = [".gitleaks.toml"]\n')
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "vault.hcl").write_text(f'unseal_key = "{_unseal(1)}"\n')
    (tmp_path / "deploy" / "examples").mkdir()
    (tmp_path / "deploy" / "examples" / "vault.hcl").write_text(f'unseal_key = "{_unseal(2)}"\n')
    (tmp_path / "notes.hcl").write_text(f'unseal_key = "{_unseal(3)}"\n')  # outside the rule's path
    (tmp_path / "svc.py").write_text(f'TOKEN = "{_token(4)}"\nSAMPLE = "acme_svc_{"0" * 32}"\n')
    (tmp_path / "third_party").mkdir()
    (tmp_path / "third_party" / "vendored.py").write_text(f'TOKEN = "{_token(5, "acme_ci_")}"\n')
    return tmp_path


def test_rule_files_accepts_a_gitleaks_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert main(["scan", "--no-git", "--format", "json", str(root)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    found = {(f["path"], f["rule"]): f["redacted"] for f in findings if f["rule"].startswith("acme-")}
    assert not any(f["path"].startswith("third_party/") for f in findings)  # the global allowlist
    assert set(found) == {("deploy/vault.hcl", "acme-vault-unseal"), ("svc.py", "acme-internal-token")}


def test_rules_flag_and_use_default_false(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    (root / ".secretshift.toml").unlink()
    (root / "gh.env").write_text("GITHUB_TOKEN=ghp_" + "".join(random.Random(6).choice(string.ascii_letters) for _ in range(36)) + "\n")
    config = root / "only.toml"
    config.write_text(GITLEAKS_TOML.replace("useDefault = true", "useDefault = false"))
    main(["scan", "--no-git", "--format", "json", "--rules", str(config), str(root)])
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert rules == {"acme-internal-token", "acme-vault-unseal"}


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[[rules]]\nid = "pkcs12-file"\ndescription = "PKCS12"\npath = \'\'\'\\.p12$\'\'\'\n', "'pkcs12-file'"),
        ('[[rules]]\nid = "two-groups"\nregex = \'\'\'(a)(b)\'\'\'\nsecretGroup = 3\nkeywords=["ab"]\n', "secretGroup 3"),
        ('[[rules]]\nid = "no-literal"\nregex = \'\'\'[a-f0-9]{64}\'\'\'\nentropy = 3.0\n', "no `keywords`"),
        ('[[rules]]\nid = "line-target"\nregex = \'\'\'tok_[a-z]{9}\'\'\'\nentropy = 3.0\n'
         '[[rules.allowlists]]\nregexTarget = "line"\nregexes = ["test"]\n', "regexTarget 'line'"),
        ('[[rules]]\nid = "composite"\nregex = \'\'\'tok_[a-z]{9}\'\'\'\n[[rules.required]]\nid = "x"\n', "required"),
        ('[[rules]]\nid = "go-only"\nregex = \'\'\'tok_(?P<a>x)(?P<a>y)\'\'\'\nentropy = 1.0\n', "'go-only'"),
    ],
)
def test_unmappable_rules_are_errors_naming_the_rule(tmp_path: Path, snippet: str, message: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "leaks.toml").write_text('title = "x"\n' + snippet)
    assert main(["scan", "--no-git", "--rules", str(tmp_path / "leaks.toml"), str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_secret_group_mapping() -> None:
    assert with_secret_group("ab(c)", 0, "x") == "ab(?P<secret>c)"
    assert with_secret_group("ab", 0, "x") == "(?P<secret>ab)"
    assert with_secret_group(r"(?:a)[(](b)\((c)", 2, "x") == r"(?:a)[(](b)\((?P<secret>c)"
    assert with_secret_group("(?P<kind>a)(b)", 1, "x") == "(?P<secret>a)(b)"
    with pytest.raises(FatalError):
        with_secret_group("(a)", 2, "x")


def test_keyword_is_derived_from_the_regex_literal() -> None:
    document = load_toml('title = "t"\n[[rules]]\nid = "k"\nregex = \'\'\'corp_key_([a-z0-9]{20})\'\'\'\n', "t")
    (rule,) = import_gitleaks(document, "t").rules
    assert rule.keywords == ("corp_key_",) and rule.confidence == "medium"

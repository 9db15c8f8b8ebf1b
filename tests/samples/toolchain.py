"""The real toolchains the sample-repository suite checks rewritten output with, found or
installed once per machine (never per test), or a loud skip naming what is missing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NODE_DIR = Path(os.environ.get("SECRETSHIFT_TEST_NODE_MODULES", Path.home() / ".cache" / "secretshift-tests" / "node"))
NODE_PACKAGES = ("@aws-sdk/client-secrets-manager@3", "typescript@5", "@types/node@20")
TF_MIRROR = Path(os.environ.get("SECRETSHIFT_TF_MIRROR", "/opt/tf-plugins"))


def tool(name: str) -> str:
    """A command from PATH or this interpreter's environment (pip-installed linters land there)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"TOOLCHAIN MISSING: {name} is not installed (bash .ci/run installs it)")
    return found


def node_modules() -> Path:
    """node_modules with the AWS SDK v3 client and TypeScript, installed from the npm registry
    once into NODE_DIR (.ci/run does it up front)."""
    modules = NODE_DIR / "node_modules"
    if not (modules / "@aws-sdk" / "client-secrets-manager").is_dir() or not (modules / "typescript").is_dir() \
            or not (modules / "@types" / "node").is_dir():
        npm = tool("npm")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(NODE_DIR),
                               *NODE_PACKAGES], capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            pytest.skip(f"TOOLCHAIN MISSING: npm could not install {' '.join(NODE_PACKAGES)}: {proc.stderr[-300:]}")
    return modules


def terraform_env(home: Path) -> dict[str, str]:
    """Terraform reading providers from the machine image's local mirror (no registry access)."""
    tool("terraform")
    if not (TF_MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"TOOLCHAIN MISSING: no Terraform provider mirror at {TF_MIRROR} (set SECRETSHIFT_TF_MIRROR)")
    rc = home / "terraformrc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{TF_MIRROR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n'
    )
    return {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)

"""The migration on realistic sample repositories (tests/samples), end to end with the real CLI
against moto's server, each output checked with the real tool for its kind.

Per sample (module-scoped: one plan + apply each): apply either leaves no migrated value in the
repository (`secretshift scan .` agrees) or exits 3 listing exactly the sites left; the second
apply changes nothing; a re-plan gives the same names; then the rewritten code RUNS (Python,
Node) and prints the original values read back from ASM, and the manifests/IaC pass their
validators (terraform validate, cfn-lint, actionlint, hadolint, kubernetes-validate, go vet,
javac, a structural Helm render).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import run_cli
from tests.samples import infra_repo, node_service, python_service
from tests.samples.common import Sample, commit_all
from tests.samples.helm_render import render_chart
from tests.samples.toolchain import NODE_DIR, node_modules, run, terraform_env, tool


@dataclass(frozen=True)
class Applied:
    sample: Sample
    plan: dict[str, Any]
    apply: subprocess.CompletedProcess[str]
    endpoint: str

    @property
    def root(self) -> Path:
        return self.sample.root

    def env(self) -> dict[str, str]:
        return {**os.environ, "AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1"}

    def created(self) -> dict[str, dict[str, str]]:
        client = boto3.client("secretsmanager", endpoint_url=self.endpoint, region_name="us-east-1")
        names = [s["name"] for s in self.plan["secrets"]]
        return {n: json.loads(client.get_secret_value(SecretId=n)["SecretString"]) for n in names}

    def left_sites(self) -> set[tuple[str, int]]:
        return {(m.group(1), int(m.group(2))) for m in re.finditer(r"^left: (.+?):(\d+) ", self.apply.stdout, re.M)}


BUILDERS: dict[str, Callable[[Path], Sample]] = {
    "orders": python_service.build, "payments": node_service.build, "ledger-infra": infra_repo.build,
}


def _reset(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)


def _apply_sample(name: str, base: Path, endpoint: str) -> Applied:
    root = base / name
    root.mkdir()
    sample = BUILDERS[name](root)
    commit_all(root)
    plan_path = base / f"{name}-plan.json"
    planned = run_cli("migrate", "plan", ".", "--out", str(plan_path), cwd=root)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    applied = run_cli("migrate", "apply", str(plan_path), "--yes", "--endpoint-url", endpoint, cwd=root)
    assert applied.returncode in (0, 3), applied.stdout + applied.stderr
    return Applied(sample, json.loads(plan_path.read_text()), applied, endpoint)


@pytest.fixture(scope="module")
def samples(asm_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Applied]]:
    _reset(asm_endpoint)
    base = tmp_path_factory.mktemp("samples")
    yield {name: _apply_sample(name, base, asm_endpoint) for name in BUILDERS}


SAMPLES = pytest.mark.parametrize("name", list(BUILDERS))
# Every test here runs the real CLI end to end on whole repositories, most then a toolchain in a
# subprocess: the suite's slower subset (CI's Python 3.10 pass deselects it).
pytestmark = pytest.mark.subprocess


def _migrated_values(applied: Applied) -> dict[str, str]:
    return {f"{n}#{k}": v for n, doc in applied.created().items() for k, v in doc.items()}


@SAMPLES
def test_apply_is_honest_about_what_is_left(samples: dict[str, Applied], name: str) -> None:
    applied = samples[name]
    values = _migrated_values(applied)
    scan = run_cli("scan", ".", "--format", "json", cwd=applied.root)
    found = json.loads(scan.stdout)["findings"]
    by_sha1 = {hashlib.sha1(v.encode()).hexdigest(): label for label, v in values.items()}
    still = {(f["path"], f["line"]) for f in found if f["secret_hash"] in by_sha1}
    # Every file, as written or base64 (what apply promises to search), not only what scan flags.
    for path in applied.root.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        text = path.read_text("utf-8", "replace")
        for value in values.values():
            for form in (value, base64.b64encode(value.encode()).decode()):
                if len(value) >= 8 and (max(form.splitlines(), key=len) if "\n" in form else form) in text:
                    line = text[: text.index(max(form.splitlines(), key=len) if "\n" in form else form)].count("\n") + 1
                    still.add((path.relative_to(applied.root).as_posix(), line))
    if applied.apply.returncode == 0:
        assert not still, f"apply exited 0 but plaintext is left at {sorted(still)}"
    else:
        assert "incomplete:" in applied.apply.stdout
        assert still <= applied.left_sites(), (sorted(still), applied.apply.stdout)
        assert applied.left_sites(), applied.apply.stdout


@SAMPLES
def test_second_apply_is_a_no_op_and_a_replan_keeps_the_names(samples: dict[str, Applied], name: str,
                                                            tmp_path: Path) -> None:
    applied = samples[name]
    before = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=applied.root, capture_output=True,
                            text=True).stdout
    digests = {p: p.read_bytes() for p in applied.root.rglob("*") if p.is_file() and ".git" not in p.parts}
    plan_path = tmp_path / "plan.json"
    original = {k["value_hash"]: s["name"] for s in applied.plan["secrets"] for k in s["keys"]}
    original.update({site["value_hash"]: site["label"].split("#")[0] for site in applied.plan["left"]
                     if site["kind"] != "test-path"})
    replanned = run_cli("migrate", "plan", ".", "--out", str(plan_path), cwd=applied.root)
    if replanned.returncode == 0:
        plan = json.loads(plan_path.read_text())
        again = {k["value_hash"]: s["name"] for s in plan["secrets"] for k in s["keys"]}
        again.update({site["value_hash"]: site["label"].split("#")[0] for site in plan["left"]
                      if site["kind"] != "test-path"})
        for digest, secret_name in again.items():
            if digest in original:
                assert secret_name == original[digest]
    second = run_cli("migrate", "apply", _first_plan(applied, tmp_path), "--yes", "--endpoint-url",
                     applied.endpoint, cwd=applied.root)
    assert second.returncode == applied.apply.returncode, second.stdout + second.stderr
    assert "created" not in second.stdout and "updated" not in second.stdout
    after = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=applied.root, capture_output=True,
                           text=True).stdout
    assert after == before
    assert {p: p.read_bytes() for p in applied.root.rglob("*") if p.is_file() and ".git" not in p.parts} == digests


def _first_plan(applied: Applied, tmp_path: Path) -> str:
    path = tmp_path / "first-plan.json"
    path.write_text(json.dumps(applied.plan))
    return str(path)


def test_test_fixtures_and_references_are_not_migrated(samples: dict[str, Applied]) -> None:
    orders = samples["orders"]
    fixture = (orders.root / "tests" / "fixtures.py").read_text()
    assert orders.sample.values["test_password"] in fixture
    assert "not migrated: tests/fixtures.py:4" in orders.apply.stdout
    payments = samples["payments"]
    assert "passwordSecret: db-creds" in (payments.root / "chart" / "values.yaml").read_text()
    assert not any("db-creds" == v for doc in payments.created().values() for v in doc.values())


def test_created_secrets_hold_the_original_values_and_only_referenced_ones(samples: dict[str, Applied]) -> None:
    for applied in samples.values():
        values = set(applied.sample.values.values())
        for name, document in applied.created().items():
            assert applied.sample.root.name in name.split("/")[0]  # the repository is part of the name
            for key, value in document.items():
                assert value in values or any(value in v or v in value for v in values), (name, key)
        referenced = {s["name"] for s in applied.plan["secrets"] if s["sources"]}
        assert referenced == set(applied.created())


# -- the rewritten code runs ----------------------------------------------------------------------

@pytest.mark.toolchain
def test_python_service_runs_and_reads_the_original_values(samples: dict[str, Applied]) -> None:
    orders = samples["orders"]
    proc = run([sys.executable, "-m", "orders.main"], orders.root, env=orders.env())
    assert proc.returncode == 0, proc.stderr
    printed = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    values = orders.sample.values
    assert printed["SECRET_KEY"] == values["secret_key"]
    assert printed["DATABASE_URL"] == f"postgres://orders:{values['db_password']}@db.internal:5432/orders"
    assert printed["REDIS_URL"] == f"redis://:{values['redis_password']}@cache.internal:6379/0"
    assert printed["EMAIL_HOST_PASSWORD"] == values["sendgrid"]
    import hmac

    expected = hmac.new(values["secret_key"].encode(), b"ping", hashlib.sha256).hexdigest()
    assert printed["WEBHOOK_SIGNATURE"] == expected
    assert "aws-secretsmanager-caching" in (orders.root / "requirements.txt").read_text()


@pytest.fixture(scope="module")
def node_ready(samples: dict[str, Applied]) -> Path:
    modules = node_modules()
    payments = samples["payments"].root
    link = payments / "node_modules"
    if not link.exists():
        link.symlink_to(modules, target_is_directory=True)
    return modules


@pytest.mark.toolchain
def test_node_service_runs_esm_cjs_and_typescript(samples: dict[str, Applied], node_ready: Path) -> None:
    payments = samples["payments"]
    node = tool("node")
    values = payments.sample.values
    esm = run([node, "src/payments.mjs"], payments.root, env=payments.env())
    assert esm.returncode == 0, esm.stderr
    assert f"STRIPE_SECRET_KEY {values['stripe']}" in esm.stdout
    cjs = run([node, "-e", 'const m = require("./src/mailer.cjs");'
               'm.secretsReady.then(() => console.log("SMTP_PASSWORD " + m.transport().auth.pass));'],
              payments.root, env=payments.env())
    assert cjs.returncode == 0, cjs.stderr
    assert f"SMTP_PASSWORD {values['smtp']}" in cjs.stdout
    tsc = node_ready / "typescript" / "bin" / "tsc"
    out = payments.root / "build"
    compiled = run([node, str(tsc), "--target", "es2022", "--module", "es2022", "--moduleResolution", "node",
                    "--strict", "--skipLibCheck", "--types", "node", "--typeRoots", str(node_ready / "@types"), "--outDir", str(out), "src/db.ts"], payments.root)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    (out / "package.json").write_text('{"type": "module"}')
    ts = run([node, "--input-type=module", "-e",
              f'const m = await import("{(out / "db.js").as_posix()}"); console.log("DB " + (await m.dbConfig()).password);'],
             payments.root, env=payments.env())
    assert ts.returncode == 0, ts.stderr
    assert f"DB {values['db']}" in ts.stdout
    package = json.loads((payments.root / "package.json").read_text())
    assert "@aws-sdk/client-secrets-manager" in package["dependencies"]


@pytest.mark.toolchain
def test_node_helper_refreshes_after_rotation_and_never_caches_a_failure(samples: dict[str, Applied],
                                                                       node_ready: Path, asm_endpoint: str) -> None:
    payments = samples["payments"]
    client = boto3.client("secretsmanager", endpoint_url=asm_endpoint, region_name="us-east-1")
    client.create_secret(Name="payments/rotation-probe", SecretString=json.dumps({"k": "first-value-0001"}))
    script = payments.root / "src" / "probe.mjs"
    helper = (payments.root / "src" / "payments.mjs").read_text()
    helper = helper[: helper.index("const STRIPE_SECRET_KEY")]
    script.write_text(helper + """
const missing = await getSecretValue("payments/not-there-yet", "k").then(() => "found", () => "failed");
console.log("MISSING " + missing);
console.log("FIRST " + await getSecretValue("payments/rotation-probe", "k"));
await new Promise((resolve) => process.stdin.once("data", resolve));
await new Promise((resolve) => setTimeout(resolve, 60));
console.log("AFTER " + await getSecretValue("payments/rotation-probe", "k"));
console.log("LATE " + await getSecretValue("payments/not-there-yet", "k"));
""")
    env = {**payments.env(), "SECRETS_CACHE_TTL_MS": "50"}
    proc = subprocess.Popen([tool("node"), str(script)], cwd=payments.root, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "MISSING failed"
    assert proc.stdout.readline().strip() == "FIRST first-value-0001"
    client.put_secret_value(SecretId="payments/rotation-probe", SecretString=json.dumps({"k": "second-value-0002"}))
    client.create_secret(Name="payments/not-there-yet", SecretString=json.dumps({"k": "now-it-exists-03"}))
    out, err = proc.communicate("go\n", timeout=60)
    script.unlink()
    assert "AFTER second-value-0002" in out, err
    assert "LATE now-it-exists-03" in out, err


@pytest.mark.toolchain
def test_helm_chart_renders_an_external_secret_the_deployment_reads(samples: dict[str, Applied]) -> None:
    payments = samples["payments"]
    docs = render_chart(payments.root / "chart")
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    ref = env["STRIPE_SECRET_KEY"]["valueFrom"]["secretKeyRef"]
    external = [d for d in docs if d["kind"] == "ExternalSecret"]
    assert [e["spec"]["target"]["name"] for e in external] == [ref["name"]]
    assert [k["secretKey"] for k in external[0]["spec"]["data"]] == [ref["key"]]
    store = external[0]["spec"]["secretStoreRef"]
    assert ("SecretStore", store["name"]) in kinds
    assert not any(d["kind"] == "Secret" for d in docs), "the chart's own Secret must not render any more"
    values = (payments.root / "chart" / "values.yaml").read_text()
    assert "${" not in values
    remote = external[0]["spec"]["data"][0]["remoteRef"]
    assert payments.created()[remote["key"]][remote["property"]] == payments.sample.values["stripe"]


@pytest.mark.toolchain
def test_kubernetes_manifests_validate(samples: dict[str, Applied]) -> None:
    import yaml

    payments = samples["payments"]
    docs = list(yaml.safe_load_all((payments.root / "k8s" / "secrets.yaml").read_text()))
    # Core kinds: what is left of the Secret file, and what the rewritten chart renders.
    core = [d for d in docs if d and d["apiVersion"] in ("v1", "apps/v1")]
    core += [d for d in render_chart(payments.root / "chart") if d["apiVersion"] in ("v1", "apps/v1")]
    assert core, "the chart renders a Deployment"
    for external in (d for d in docs if d and d["kind"] == "ExternalSecret"):
        assert external["apiVersion"] == "external-secrets.io/v1"
        for item in external["spec"]["data"]:
            assert item["remoteRef"]["key"] in payments.created()
    # The PEM from the block scalar is stored as the application reads it: no YAML indentation.
    pem = payments.sample.values["pem"]
    stored = [v for doc in payments.created().values() for v in doc.values() if "PRIVATE KEY" in v]
    assert [v.strip() for v in stored] == [pem.strip()]
    assert all(not line.startswith(" ") for line in stored[0].splitlines())
    if core:
        check = payments.root.parent / "core-k8s.yaml"
        check.write_text(yaml.safe_dump_all(core))
        proc = run([tool("kubernetes-validate"), "--strict", str(check)], payments.root)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.toolchain
def test_terraform_validates(samples: dict[str, Applied], tmp_path: Path) -> None:
    infra = samples["ledger-infra"]
    folder = infra.root / "terraform"
    env = terraform_env(tmp_path)
    terraform = tool("terraform")
    init = run([terraform, "init", "-backend=false", "-input=false", "-no-color"], folder, env=env)
    assert init.returncode == 0, init.stdout + init.stderr
    valid = run([terraform, "validate", "-no-color"], folder, env=env)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    text = "".join(p.read_text() for p in sorted(folder.glob("*.tf")))
    assert "access_key" not in text and "secret_key" not in text
    assert "password_wo" in text and "ephemeral" in text


@pytest.mark.toolchain
def test_cloudformation_passes_cfn_lint(samples: dict[str, Applied]) -> None:
    infra = samples["ledger-infra"]
    proc = run([tool("cfn-lint"), "cfn/database.yaml"], infra.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "{{resolve:secretsmanager:" in (infra.root / "cfn" / "database.yaml").read_text()


@pytest.mark.toolchain
def test_workflow_passes_actionlint_and_keeps_permissions(samples: dict[str, Applied]) -> None:
    import yaml

    infra = samples["ledger-infra"]
    workflow = infra.root / ".github" / "workflows" / "deploy.yml"
    proc = run([tool("actionlint"), "-no-color", str(workflow)], infra.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    assert jobs["publish"]["permissions"]["packages"] == "write"
    assert jobs["publish"]["permissions"]["id-token"] == "write"
    for job in jobs.values():
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout"):
                assert "env" not in step


@pytest.mark.toolchain
def test_dockerfile_passes_hadolint(samples: dict[str, Applied]) -> None:
    infra = samples["ledger-infra"]
    proc = run([tool("hadolint"), "--no-color", "--failure-threshold", "warning", "Dockerfile"], infra.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.toolchain
def test_go_service_vets_and_runs_against_sdk_stand_ins(samples: dict[str, Applied], tmp_path: Path) -> None:
    """The Go module proxy is not reachable, so the real AWS SDK for Go cannot be fetched: the
    service is vetted and RUN against stand-in modules with the SDK's import paths and
    signatures (tests/samples/go_stubs.py), which call moto over HTTP."""
    from tests.samples import go_stubs

    infra = samples["ledger-infra"]
    service = tmp_path / "reporting"
    import shutil

    shutil.copytree(infra.root / "services" / "reporting", service)
    go_stubs.install(tmp_path / "stubs", service)
    go = tool("go")
    # A build cache kept between runs: compiling net/http from scratch takes a minute on 2 cores.
    env = {**infra.env(), "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local", "GOSUMDB": "off",
           "GOCACHE": str(NODE_DIR.parent / "gocache"), "GOPATH": str(tmp_path / "gopath")}
    vet = run([go, "vet", "./..."], service, env=env)
    assert vet.returncode == 0, vet.stdout + vet.stderr
    ran = run([go, "run", "."], service, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"REPORTING_TOKEN {infra.sample.values['go_token']}" in ran.stdout


@pytest.mark.toolchain
def test_java_compiles_against_stubs(samples: dict[str, Applied], tmp_path: Path) -> None:
    infra = samples["ledger-infra"]
    javac = tool("javac")
    stubs = tmp_path / "stubs"
    for rel, body in JAVA_STUBS.items():
        target = stubs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    sources = [str(p) for p in (infra.root / "services" / "ledger-java" / "src").rglob("*.java")]
    proc = run([javac, "-d", str(tmp_path / "out"), *sources, *map(str, stubs.rglob("*.java"))], infra.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Just enough of Spring's and the AWS SDK v2's API for javac (neither jar is on this machine).
JAVA_STUBS = {
    "org/springframework/beans/factory/annotation/Value.java":
        "package org.springframework.beans.factory.annotation;\npublic @interface Value { String value(); }\n",
    "org/springframework/stereotype/Component.java":
        "package org.springframework.stereotype;\npublic @interface Component {}\n",
}


def test_one_least_privilege_policy_per_consumer(samples: dict[str, Applied]) -> None:
    infra = samples["ledger-infra"]
    docs = infra.root / "docs"
    policies = {p.name: json.loads(p.read_text()) for p in docs.glob("secretshift-iam-policy-*.json")}
    assert {"secretshift-iam-policy-app-runtime.json", "secretshift-iam-policy-github-oidc.json",
            "secretshift-iam-policy-ecs-execution.json", "secretshift-iam-policy-iac-deploy.json"} <= set(policies)

    def granted(name: str) -> set[str]:
        return {r for s in policies[name]["Statement"] if s["Sid"].startswith("SecretshiftRead") for r in s["Resource"]}

    ci = granted("secretshift-iam-policy-github-oidc.json")
    app = granted("secretshift-iam-policy-app-runtime.json")
    assert ci and app and not ci & app, "the app's role must not read the CI tokens"
    assert all(":secret:ledger-infra/prod/" in arn and arn.endswith("-??????") for arn in ci | app)
    assert not (granted("secretshift-iam-policy-iac-deploy.json") & app)
    payments = samples["payments"]
    assert (payments.root / "docs" / "secretshift-iam-policy-eso.json").is_file()


def test_a_replan_after_a_partial_apply_keeps_every_name(asm_endpoint: str, tmp_path: Path) -> None:
    root = tmp_path / "orders"
    root.mkdir()
    python_service.build(root)
    commit_all(root)
    first = tmp_path / "first.json"
    # Only the .env: its DATABASE_URL is also quoted in the README, which no rewriter can edit.
    planned = run_cli("migrate", "plan", ".env", "--out", str(first), cwd=root)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    applied = run_cli("migrate", "apply", str(first), "--yes", "--endpoint-url", asm_endpoint, cwd=root)
    assert applied.returncode in (0, 3), applied.stdout + applied.stderr
    second = tmp_path / "second.json"
    replanned = run_cli("migrate", "plan", ".", "--out", str(second), cwd=root)
    assert replanned.returncode == 0, replanned.stdout + replanned.stderr

    def names(plan: dict[str, Any]) -> dict[str, str]:
        out = {k["value_hash"]: s["name"] for s in plan["secrets"] for k in s["keys"]}
        out.update({site["value_hash"]: site["label"].split("#")[0] for site in plan["left"] if "#" in site["label"]})
        return out

    before, after = names(json.loads(first.read_text())), names(json.loads(second.read_text()))
    shared = set(before) & set(after)
    assert shared, "the re-plan should still see the values the partial apply left"
    assert {h: after[h] for h in shared} == {h: before[h] for h in shared}

"""A sample repository for migration tests: a `.env` and a Python module sharing one value."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.conftest import git
from tests.fakes import aws_access_key_id, aws_secret_access_key, github_token


@dataclass(frozen=True)
class SampleRepo:
    root: Path
    values: dict[str, str]  # a label -> the planted plaintext


SETTINGS = '''"""Settings for the sample service."""
import os

# The token is shared with the .env file: one secret, two references.
GITHUB_TOKEN = "{shared}"  # used by the deploy job
DEPLOY_TOKEN = '{deploy}'

DEBUG = os.environ.get("DEBUG") == "1"


if __name__ == "__main__":
    print(GITHUB_TOKEN)
    print(DEPLOY_TOKEN)
'''


def make_sample_repo(root: Path, seed: int = 1, app: str = "billing", commit: bool = True) -> SampleRepo:
    values = {
        "akid": aws_access_key_id(seed),
        "sak": aws_secret_access_key(seed),
        "shared": github_token(seed),
        "deploy": github_token(seed + 100),
    }
    (root / ".env").write_text(
        "# local settings\n"
        f"AWS_ACCESS_KEY_ID={values['akid']}\n"
        f'AWS_SECRET_ACCESS_KEY="{values["sak"]}"\n'
        f"GITHUB_TOKEN={values['shared']}  # CI token\n"
        "DEBUG=1\n"
    )
    (root / "app").mkdir()
    (root / "app" / "settings.py").write_text(SETTINGS.format(shared=values["shared"], deploy=values["deploy"]))
    (root / "requirements.txt").write_text("requests>=2\n")
    # An explicit template (the default puts the repository's name first): these tests name secrets
    # `billing/prod/...` whatever their temp directory is called.
    (root / "pyproject.toml").write_text(f'[tool.secretshift.migrate]\nname_template = "{{app}}/{{env}}/{{group}}"\n'
                                         f'app = "{app}"\nenv = "prod"\nowner = "team-payments"\n')
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return SampleRepo(root, values)


def write_plan(root: Path, out: Path) -> Path:
    """Plan in-process (cheaper than the CLI) for tests whose subject is apply; the CLI's own
    `migrate plan` is exercised end to end in test_migrate_e2e."""
    from secretshift.config import load_config
    from secretshift.migrate.plan_file import plan_to_json
    from secretshift.migrate.plan import plan_migration
    from secretshift.migrate.settings import parse_settings

    config = load_config(None, root)
    out.write_text(plan_to_json(plan_migration([str(root)], config, parse_settings(config.migrate))))
    return out


def rotation_function(endpoint: str, name: str = "rotate-github") -> str:
    """The rotation Lambda, in moto (it is never invoked: RotateImmediately is false)."""
    import io
    import zipfile

    import boto3

    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    return str(boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
        Code={"ZipFile": code.getvalue()})["FunctionArn"])

from __future__ import annotations

from typing import Any

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.terraform import TerraformRewriter
from tests.rewriters.support import SETTINGS, ref_to, rewrite_twice
from tests.samples.values import aws_access_key_id, aws_secret_access_key, password

hcl2 = pytest.importorskip("hcl2")

MAIN_TF = """\
resource "aws_db_instance" "shop" {
  engine   = "postgres"
  username = "admin"
  password = "tf-db-pa55word-0987654321" # set by hand

  tags = {
    dsn = "postgres://admin:tf-db-pa55word-0987654321@db:5432/shop"
  }
}
"""

EXPECTED = """\
resource "aws_db_instance" "shop" {
  engine   = "postgres"
  username = "admin"
  password = jsondecode(data.aws_secretsmanager_secret_version.secretshift_shop_prod_db.secret_string)["password"] # set by hand

  tags = {
    dsn = "postgres://admin:${jsondecode(data.aws_secretsmanager_secret_version.secretshift_shop_prod_db.secret_string)["password"]}@db:5432/shop"
  }
}
"""

DATA_SOURCE = """\
# Written by secretshift: the secret lives in AWS Secrets Manager.
data "aws_secretsmanager_secret_version" "secretshift_shop_prod_db" {
  secret_id = "shop/prod/db"
}
"""


def test_literal_becomes_a_data_source_lookup() -> None:
    refs = [ref_to(MAIN_TF, "tf-db-pa55word-0987654321", "shop/prod/db", "password", "infra/main.tf", occurrence=n)
            for n in (0, 1)]
    result = rewrite_twice(TerraformRewriter(), "infra/main.tf", MAIN_TF, refs)
    assert result.text == EXPECTED
    assert result.extra_files == {"infra/secretshift_shop_prod_db.tf": DATA_SOURCE}
    assert any("state" in note for note in result.notes)
    parsed = _unquoted(hcl2.loads(result.text + DATA_SOURCE))  # the module as Terraform will read it
    assert parsed["data"][0]["aws_secretsmanager_secret_version"]["secretshift_shop_prod_db"]
    password = parsed["resource"][0]["aws_db_instance"]["shop"]["password"]
    assert "data.aws_secretsmanager_secret_version.secretshift_shop_prod_db.secret_string" in password


def _unquoted(value: object) -> Any:
    # python-hcl2 8.x keeps the quotes of block labels; older releases drop them.
    if isinstance(value, dict):
        return {k.strip('"'): _unquoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquoted(v) for v in value]
    return value


def test_same_secret_from_two_files_yields_one_data_source() -> None:
    other = 'module "x" {\n  source = "./x"\n  token  = "tf-db-pa55word-0987654321"\n}\n'
    first = TerraformRewriter().rewrite(
        "infra/main.tf", MAIN_TF, [ref_to(MAIN_TF, "tf-db-pa55word-0987654321", "shop/prod/db", "password", "infra/main.tf")],
        SETTINGS)
    second = TerraformRewriter().rewrite(
        "infra/other.tf", other, [ref_to(other, "tf-db-pa55word-0987654321", "shop/prod/db", "password", "infra/other.tf")],
        SETTINGS)
    assert first.extra_files == second.extra_files


@pytest.mark.parametrize(("path", "text", "reason"), [
    pytest.param("infra/prod.tfvars", 'pw = "tf-var-pa55word-123456"\n', "tfvars", id="tfvars"),
    pytest.param("infra/backend.tf", 'terraform {\n  backend "pg" {\n    conn_str = "postgres://u:tf-var-pa55word-123456@db"\n  }\n}\n',
                 "terraform block", id="backend"),
    pytest.param("infra/main.tf.json", '{"locals": {"pw": "tf-var-pa55word-123456"}}', "JSON syntax", id="tf-json"),
])
def test_refuses_where_a_data_source_cannot_be_read(path: str, text: str, reason: str) -> None:
    with pytest.raises(RewriteRefused, match=reason):
        TerraformRewriter().rewrite(path, text, [ref_to(text, "tf-var-pa55word-123456", "x", "pw", path)], SETTINGS)


def test_leaves_other_files_alone() -> None:
    assert not TerraformRewriter().applies_to("infra/main.tf.md", "")
    assert TerraformRewriter().rewrite("infra/main.tf", MAIN_TF, [], SETTINGS).text == MAIN_TF


# Built at run time (no literal secrets in the repository's own files).
PROVIDER_VALUES = {"access_key": aws_access_key_id(71), "secret_key": aws_secret_access_key(71),
                   "api_token": password("tf-var", 71), "password": password("tf-rds", 71)}
PROVIDER_AND_RDS = """\
provider "aws" {{
  region     = "eu-west-1"
  access_key = "{access_key}"
  secret_key = "{secret_key}"
}}

variable "api_token" {{
  type    = string
  default = "{api_token}"
}}

resource "aws_db_instance" "ledger" {{
  engine   = "postgres"
  password = "{password}"
}}
""".format(**PROVIDER_VALUES)


def test_provider_keys_leave_variable_default_becomes_required_rds_password_is_write_only() -> None:
    refs = [ref_to(PROVIDER_AND_RDS, v, "shop/prod/tf", k, "infra/main.tf") for k, v in PROVIDER_VALUES.items()]
    result = rewrite_twice(TerraformRewriter(), "infra/main.tf", PROVIDER_AND_RDS, refs)
    assert 'provider "aws" {\n  region     = "eu-west-1"\n}\n' in result.text
    assert "data.aws_secretsmanager_secret_version" not in result.text  # never a cycle through the provider
    assert "  # default removed by secretshift" in result.text and "default =" not in result.text
    assert ('  password_wo = jsondecode(ephemeral.aws_secretsmanager_secret_version.secretshift_shop_prod_tf'
            '.secret_string)["password"]\n  password_wo_version = 1\n') in result.text
    assert set(result.extra_files) == {"infra/secretshift_shop_prod_tf_ephemeral.tf"}
    assert any("default credential chain" in n for n in result.notes)
    hcl2.loads(result.text)

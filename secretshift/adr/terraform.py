"""ADR checks over one Terraform module (the .tf files of one directory, which see each other)."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from secretshift.adr.envcheck import TF_SECRET_REF, EnvIssue, env_issues, user_data_issues
from secretshift.adr.hcl import HclBlock
from secretshift.adr.located import Expr, LDict, LList, load_documents
from secretshift.adr.model import Violation
from secretshift.adr.policy import PolicyIssue, identity_policy_issues, resource_policy_issues
from secretshift.adr.secretish import secret_like_key
from secretshift.adr.settings import AdrSettings

_IDENTITY_POLICY_RESOURCES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
_SECRET_POLICY_RESOURCES = ("aws_secretsmanager_secret_policy", "aws_secretsmanager_secret")
_RATE = re.compile(r"rate\(\s*(\d+)\s+days?\s*\)")
ROTATION_TAGS_FIX = '''  tags = {
    "rotation-period-days" = "90"      # the secret's lifetime, from the system design
    "rotation-mode"        = "manual"  # and a runbook entry for the manual rotation
  }
  # or, better, rotate automatically:
  # resource "aws_secretsmanager_secret_rotation" "NAME" {
  #   secret_id           = aws_secretsmanager_secret.NAME.id
  #   rotation_lambda_arn = aws_lambda_function.rotator.arn
  #   rotation_rules { automatically_after_days = 30 }
  # }'''


@dataclass(frozen=True)
class TfFile:
    path: str
    blocks: tuple[HclBlock, ...]


class TerraformModule:
    def __init__(self, files: Sequence[TfFile], settings: AdrSettings) -> None:
        self.files = files
        self.settings = settings
        self.variables = {b.labels[0]: b for _, b in self._all("variable") if b.labels}
        self.locals: dict[str, Any] = {}
        for _, block in self._all("locals"):
            self.locals.update({name: attr.value for name, attr in block.attrs.items()})
        self.references = "\n".join(_all_text(b) for f in files for b in f.blocks)

    def _all(self, kind: str) -> Iterator[tuple[str, HclBlock]]:
        for tf in self.files:
            for block in tf.blocks:
                if block.type == kind:
                    yield tf.path, block

    def _resources(self, *types: str) -> Iterator[tuple[str, HclBlock]]:
        for path, block in self._all("resource"):
            if block.labels and block.labels[0] in types:
                yield path, block

    def is_secret_ref(self, ref: str) -> bool:
        parts = ref.split(".")
        if parts[0] == "var" and len(parts) > 1:
            variable = self.variables.get(parts[1])
            return secret_like_key(parts[1]) or (variable is not None and variable.get("sensitive") is True)
        if parts[0] == "local" and len(parts) > 1:
            return secret_like_key(parts[1])
        return False

    def check(self) -> list[Violation]:
        found: list[Violation] = []
        for checker in (self._ssm, self._lambda, self._ecs, self._user_data, self._sensitive,
                        self._secrets, self._rotations, self._rds, self._policies, self._eks):
            found.extend(checker())
        return found

    # clause 1 ---------------------------------------------------------------------------
    def _ssm(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_ssm_parameter"):
            kind = block.get("type")
            name = block.get("name")
            label = name if isinstance(name, str) else block.labels[1]
            if kind in ("String", "StringList") and secret_like_key(label.rsplit("/", 1)[-1]):
                yield Violation(path, block.attrs["type"].line, "ssm-string-secret", block.address,
                                f"SSM parameter {label!s} holds a secret-like value as plain {kind}",
                                _SSM_FIX)

    def _env(self, path: str, block: HclBlock, issues: list[EnvIssue], literal_check: str, where: str) -> Iterator[Violation]:
        for issue in issues:
            if issue.kind == "literal":
                yield Violation(path, issue.line, literal_check, block.address,
                                f"{where} variable {issue.key} holds a literal secret-like value", _ENV_FIXES[literal_check])
            else:
                yield Violation(path, issue.line, "deploy-time-secret", block.address,
                                f"{where} variable {issue.key} receives a secret resolved at deploy time; "
                                "it ends up in plaintext configuration", _ENV_FIXES["deploy-time-" + literal_check])

    def _lambda(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_lambda_function"):
            for env in block.sub("environment"):
                variables = env.get("variables")
                if isinstance(variables, LDict):
                    pairs = [(k, v, variables.line_of(k)) for k, v in variables.items()]
                    yield from self._env(path, block, env_issues(pairs, self.is_secret_ref),
                                         "lambda-env-literal-secret", "Lambda environment")

    def _ecs(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_ecs_task_definition"):
            attr = block.attrs.get("container_definitions")
            if attr is None:
                continue
            containers = _json_value(attr.value, attr.line)
            for container in containers if isinstance(containers, list) else []:
                if isinstance(container, dict):
                    pairs = list(ecs_env_pairs(container, attr.line))
                    yield from self._env(path, block, env_issues(pairs, self.is_secret_ref),
                                         "ecs-env-literal-secret", "ECS container environment")

    def _user_data(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_instance", "aws_launch_template", "aws_launch_configuration"):
            attr = block.attrs.get("user_data") or block.attrs.get("user_data_base64")
            if attr is None:
                continue
            value = attr.value
            if isinstance(value, str):
                text, first = value, attr.line + 1
            elif isinstance(value, Expr):
                text, first = (value.template or value.text), attr.line + (1 if value.template else 0)
                if "templatefile(" in value.text and any(self.is_secret_ref(r) for r in value.refs):
                    text = "\n".join(f"{r.split('.')[-1]}=${{{r}}}" for r in value.refs if self.is_secret_ref(r))
                    first = attr.line
            else:
                continue
            issues = user_data_issues(text, first, self.is_secret_ref)
            for issue in {(i.kind, i.key): i for i in issues}.values():
                yield from self._env(path, block, [issue], "user-data-literal-secret", "user data")

    def _sensitive(self) -> Iterator[Violation]:
        for path, block in self._all("variable"):
            if not block.labels or block.get("sensitive") is True:
                continue
            kind = block.get("type")
            if isinstance(kind, Expr) and kind.text in ("bool", "number"):
                continue
            if secret_like_key(block.labels[0]):
                yield Violation(path, block.line, "tf-secret-not-sensitive", block.address,
                                f"variable {block.labels[0]} looks like a secret but is not marked sensitive",
                                "  sensitive = true  # keeps it out of plan output and logs")
        for path, block in self._all("output"):
            if not block.labels or block.get("sensitive") is True:
                continue
            value = block.get("value")
            refs = value.refs if isinstance(value, Expr) else ()
            if secret_like_key(block.labels[0]) or any(TF_SECRET_REF.search(r) or self.is_secret_ref(r) for r in refs):
                yield Violation(path, block.line, "tf-secret-not-sensitive", block.address,
                                f"output {block.labels[0]} exposes a secret-like value without sensitive = true",
                                "  sensitive = true  # or output the secret's ARN instead of its value")

    # clauses 3 and 4 ----------------------------------------------------------------------
    def _rotated_secrets(self) -> set[str]:
        rotated: set[str] = set()
        for _, block in self._resources("aws_secretsmanager_secret_rotation"):
            secret_id = block.get("secret_id")
            for ref in secret_id.refs if isinstance(secret_id, Expr) else ():
                parts = ref.split(".")
                if parts[0] == "aws_secretsmanager_secret" and len(parts) > 1:
                    rotated.add(parts[1].split("[")[0])
        return rotated

    def _tags(self, value: Any, depth: int = 0) -> dict[str, str]:
        """Tag keys and values, following ``merge(...)`` and ``local.x`` as far as they are plain."""
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if isinstance(v, (str, int))}
        found: dict[str, str] = {}
        if isinstance(value, Expr) and depth < 3:
            for match in re.finditer(r'"?([\w.:/-]+)"?\s*[=:]\s*"?([\w.-]+)"?', value.text):
                found[match.group(1)] = match.group(2)
            for ref in value.refs:
                parts = ref.split(".")
                if parts[0] == "local" and len(parts) > 1 and parts[1] in self.locals:
                    found.update(self._tags(self.locals[parts[1]], depth + 1))
        return found

    def _secrets(self) -> Iterator[Violation]:
        rotated = self._rotated_secrets()
        for path, block in self._resources("aws_secretsmanager_secret"):
            name = block.labels[1]
            if name in rotated or block.sub("rotation_rules"):
                continue
            tags = self._tags(block.get("tags"))
            period = tags.get("rotation-period-days", "")
            if period.isdigit() and tags.get("rotation-mode") == "manual":
                if int(period) > self.settings.max_rotation_days:
                    yield Violation(path, block.attrs["tags"].line, "rotation-period-too-long", block.address,
                                    f"manual rotation period of {period} days exceeds the maximum of "
                                    f"{self.settings.max_rotation_days}", f'    "rotation-period-days" = "{self.settings.max_rotation_days}"')
                continue
            yield Violation(path, block.line, "secret-rotation-undocumented", block.address,
                            f"secret {name} has no rotation resource and no documented manual period "
                            "(tags rotation-period-days + rotation-mode = manual)", ROTATION_TAGS_FIX)

    def _rotations(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_secretsmanager_secret_rotation", "aws_secretsmanager_secret"):
            for rules in block.sub("rotation_rules"):
                days = rules.get("automatically_after_days")
                line = rules.line
                expression = rules.get("schedule_expression")
                if not isinstance(days, int) and isinstance(expression, str):
                    match = _RATE.search(expression)
                    days = int(match.group(1)) if match else None
                if isinstance(days, int) and days > self.settings.max_rotation_days:
                    yield Violation(path, line, "rotation-period-too-long", block.address,
                                    f"rotation every {days} days exceeds the maximum of {self.settings.max_rotation_days}",
                                    f"  rotation_rules {{\n    automatically_after_days = {self.settings.max_rotation_days}\n  }}")

    def _rds(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_db_instance", "aws_rds_cluster"):
            attr = block.attrs.get("password") or block.attrs.get("master_password")
            if attr is None or block.get("manage_master_user_password") is True:
                continue
            value = attr.value
            if isinstance(value, Expr) and any("aws_secretsmanager_secret_version" in r for r in value.refs):
                continue  # held in Secrets Manager already
            yield Violation(path, attr.line, "rds-password-unmanaged", block.address,
                            f"master password set through `{attr.name}` instead of being managed by Secrets Manager",
                            f"  manage_master_user_password = true  # remove `{attr.name}`; RDS keeps it in Secrets Manager and rotates it")

    # clause 5 --------------------------------------------------------------------------------
    def _policy_users(self) -> dict[str, set[str]]:
        """data.aws_iam_policy_document name -> the attributes that use it."""
        users: dict[str, set[str]] = {}
        for tf in self.files:
            for block in tf.blocks:
                for kind, attr_name, value in _attributes(block):
                    for ref in value.refs if isinstance(value, Expr) else ():
                        if ref.startswith("data.aws_iam_policy_document."):
                            users.setdefault(ref.split(".")[2], set()).add(f"{kind}.{attr_name}")
        return users

    def _policies(self) -> Iterator[Violation]:
        prefixes = self.settings.secret_name_prefixes
        for path, block in self._all("resource"):
            kind = block.labels[0] if block.labels else ""
            policy_attrs = [block.attrs[n] for n in ("policy",) if n in block.attrs]
            for inline in block.sub("inline_policy"):
                policy_attrs += [a for n, a in inline.attrs.items() if n == "policy"]
            for attr in policy_attrs:
                document = _json_value(attr.value, attr.line)
                if not isinstance(document, dict):
                    continue
                if kind in _SECRET_POLICY_RESOURCES:
                    issues = resource_policy_issues(document, attr.line)
                elif kind in _IDENTITY_POLICY_RESOURCES or kind == "aws_iam_role":
                    issues = identity_policy_issues(document, prefixes, attr.line)
                else:
                    continue
                yield from _policy_violations(path, block.address, issues)
        users = self._policy_users()
        for path, block in self._all("data"):
            if block.labels[:1] != ("aws_iam_policy_document",):
                continue
            used_by = users.get(block.labels[1], set())
            document = policy_document_from_blocks(block)
            if any(u.startswith(_SECRET_POLICY_RESOURCES) and u.endswith(".policy") for u in used_by):
                issues = resource_policy_issues(document, block.line)
            elif used_by and all(_not_identity(u) for u in used_by):
                continue  # a key policy, trust policy or another service's resource policy
            else:
                issues = identity_policy_issues(document, prefixes, block.line)
            yield from _policy_violations(path, block.address, issues)

    # clause 6 ----------------------------------------------------------------------------------
    def _eks(self) -> Iterator[Violation]:
        for path, block in self._resources("aws_eks_cluster"):
            if any(d.labels[:1] == ("encryption_config",) for d in block.sub("dynamic")):
                continue  # generated from an input (a module's variable): judged where the input is set
            if not any(_encrypts_secrets(c.get("resources")) for c in block.sub("encryption_config")):
                yield Violation(path, block.line, "eks-secrets-encryption", block.address,
                                f"EKS cluster {block.labels[1]} does not encrypt Kubernetes secrets with a KMS key",
                                eks_fix_snippet(block.labels[1]))
        for path, block in self._all("module"):
            source = block.get("source")
            if not isinstance(source, str) or "terraform-aws-modules/eks/aws" not in source:
                continue
            for name in ("cluster_encryption_config", "encryption_config"):
                value = block.get(name)
                if isinstance(value, dict) and not value:
                    yield Violation(path, block.attrs[name].line, "eks-secrets-encryption", block.address,
                                    f"`{name} = {{}}` turns off the module's KMS encryption of secrets",
                                    f'  {name} = {{\n    resources = ["secrets"]\n  }}')


def _not_identity(user: str) -> bool:
    return user.endswith(("assume_role_policy", ".key_policy")) or user.startswith(
        ("aws_kms_key.", "aws_s3_bucket_policy.", "aws_sqs_queue_policy.", "aws_sns_topic_policy.", "aws_ecr_repository_policy."))


def _encrypts_secrets(resources: Any) -> bool:
    if isinstance(resources, list):
        return "secrets" in resources
    return isinstance(resources, Expr)  # computed: assume the author meant it


def eks_fix_snippet(name: str) -> str:
    return (f"  encryption_config {{\n    resources = [\"secrets\"]\n    provider {{\n"
            f"      key_arn = aws_kms_key.{name}_secrets.arn\n    }}\n  }}\n\n"
            f"resource \"aws_kms_key\" \"{name}_secrets\" {{\n  description         = \"EKS secrets encryption\"\n"
            f"  enable_key_rotation = true\n}}")


def _policy_violations(path: str, address: str, issues: list[PolicyIssue]) -> Iterator[Violation]:
    for issue in issues:
        yield Violation(path, issue.line, issue.check, address, issue.message, issue.fix)


def _attributes(block: HclBlock) -> Iterator[tuple[str, str, Any]]:
    kind = block.labels[0] if block.type == "resource" and block.labels else block.type
    address = f"{kind}.{block.labels[1]}" if block.type == "resource" and len(block.labels) > 1 else kind
    for name, attr in block.attrs.items():
        yield address, name, attr.value
    for child in block.blocks:
        for _, name, value in _attributes(child):
            yield address, f"{child.type}.{name}", value


def _all_text(block: HclBlock) -> str:
    return " ".join(v.text for _, _, v in _attributes(block) if isinstance(v, Expr))


def _json_value(value: Any, line: int) -> Any:
    """A policy or container list given as jsonencode(...) (already a value) or as JSON text
    (a string or heredoc): JSON text is read with lines, shifted to the file's lines. In a
    heredoc with ``${...}``, each interpolated string becomes an :class:`Expr`."""
    if isinstance(value, Expr) and value.template is not None and value.text.startswith("<<"):
        document = _json_value(value.template, line)
        return _interpolated(document)
    if isinstance(value, str):
        try:
            documents = list(load_documents(value, is_json=True))
        except Exception:  # noqa: BLE001 - not JSON: nothing to check here
            return None
        if len(documents) != 1:
            return None
        _shift(documents[0], line if "\n" in value.strip() else line - 1)
        return documents[0]
    return value


def _interpolated(value: Any) -> Any:
    if isinstance(value, LDict):
        for key, item in list(value.items()):
            value[key] = _interpolated(item) if not isinstance(item, str) else _string_expr(item, value.line_of(key))
    elif isinstance(value, LList):
        for index, item in enumerate(list(value)):
            value[index] = _interpolated(item) if not isinstance(item, str) else _string_expr(item, value.item_lines[index])
    return value


def _string_expr(text: str, line: int) -> Any:
    if "${" not in text:
        return text
    from secretshift.adr.hcl import refs_in

    return Expr(text, refs_in(" ".join(re.findall(r"\$\{([^}]*)\}", text))), line, template=text)


def _shift(value: Any, offset: int) -> None:
    if isinstance(value, LDict):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for item in value.values():
            _shift(item, offset)
    elif isinstance(value, LList):
        value.line += offset
        value.item_lines = [v + offset for v in value.item_lines]
        for item in value:
            _shift(item, offset)


def ecs_env_pairs(container: dict[str, Any], default_line: int) -> Iterator[tuple[str, Any, int]]:
    """(name, value, line) of an ECS container's plaintext ``environment`` (either key case)."""
    environment = container.get("environment", container.get("Environment"))
    for item in environment if isinstance(environment, list) else []:
        if isinstance(item, dict):
            name = item.get("name", item.get("Name"))
            value = item.get("value", item.get("Value"))
            if isinstance(name, str):
                line = item.line if isinstance(item, LDict) else default_line
                yield name, value, line


def policy_document_from_blocks(block: HclBlock) -> LDict:
    """An ``aws_iam_policy_document`` data source as the JSON policy it renders."""
    document = LDict(block.line)
    statements = LList(block.line)
    for statement in block.sub("statement"):
        rendered = LDict(statement.line)
        rendered["Effect"] = statement.get("effect", "Allow")
        if isinstance(statement.get("sid"), str):
            rendered["Sid"] = statement.get("sid")
        for hcl_name, json_name in (("actions", "Action"), ("not_actions", "NotAction"),
                                    ("resources", "Resource"), ("not_resources", "NotResource")):
            if hcl_name in statement.attrs:
                rendered[json_name] = statement.get(hcl_name)
        conditions: dict[str, dict[str, Any]] = {}
        for condition in statement.sub("condition"):
            test, variable = condition.get("test"), condition.get("variable")
            if isinstance(test, str) and isinstance(variable, str):
                conditions.setdefault(test, {})[variable] = condition.get("values")
        if conditions:
            rendered["Condition"] = conditions
        principals: dict[str, Any] = {}
        for principal in statement.sub("principals"):
            kind = principal.get("type")
            identifiers = principal.get("identifiers")
            if isinstance(kind, str):
                principals[kind] = identifiers
        if principals:
            rendered["Principal"] = "*" if principals == {"*": ["*"]} else principals
        statements.append(rendered)
        statements.item_lines.append(statement.line)
    document["Statement"] = statements
    return document


_SSM_FIX = '''resource "aws_secretsmanager_secret" "NAME" {
  name = "app/NAME"
}
# the value is set outside Terraform (or by rotation); workloads read it at run time'''
_ENV_FIXES = {
    "lambda-env-literal-secret": (
        '  environment {\n    variables = {\n      DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db.arn\n    }\n  }\n'
        "  # the function reads the value at run time (AWS Parameters and Secrets Lambda Extension or the SDK)"),
    "ecs-env-literal-secret": '  secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }]  # instead of environment',
    "user-data-literal-secret": (
        "  # in the script: fetch at boot with the instance role\n"
        "  DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text)"),
}
_ENV_FIXES["deploy-time-lambda-env-literal-secret"] = _ENV_FIXES["lambda-env-literal-secret"]
_ENV_FIXES["deploy-time-ecs-env-literal-secret"] = _ENV_FIXES["ecs-env-literal-secret"]
_ENV_FIXES["deploy-time-user-data-literal-secret"] = _ENV_FIXES["user-data-literal-secret"]


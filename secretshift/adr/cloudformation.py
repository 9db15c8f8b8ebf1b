"""ADR checks over one CloudFormation (or SAM) template, YAML or JSON."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from secretshift.adr.envcheck import EnvIssue, env_issues, user_data_issues
from secretshift.adr.located import LDict
from secretshift.adr.model import Violation
from secretshift.adr.policy import PolicyIssue, identity_policy_issues, resource_policy_issues
from secretshift.adr.secretish import names_deploy_time_secret, secret_like_key
from secretshift.adr.settings import AdrSettings
from secretshift.adr.terraform import ecs_env_pairs

# A Ref to a password parameter: a secret resolved at deploy time, like a dynamic reference.
_RESOLVED_PARAMETER = "{{resolve:ssm-secure:parameter}}"
_RATE = re.compile(r"rate\(\s*(\d+)\s+days?\s*\)")
_IDENTITY = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
_WITH_INLINE = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
CFN_ROTATION_TAGS = '''      Tags:
        - Key: rotation-period-days   # the secret's lifetime, from the system design
          Value: "90"
        - Key: rotation-mode          # and a runbook entry for the manual rotation
          Value: manual
  # or, better, rotate automatically with an AWS::SecretsManager::RotationSchedule'''


def is_template(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    if "AWSTemplateFormatVersion" in document:
        return True
    resources = document.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in resources.values())


def _flatten(value: Any) -> str:
    """User data or a string built with Fn::Sub / Fn::Join / Fn::Base64, as the text it renders
    (references kept as ``${Name}``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name == "Fn::Base64":
            return _flatten(arg)
        if name == "Fn::Sub":
            return _flatten(arg[0] if isinstance(arg, list) and arg else arg)
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(_flatten(part) for part in arg[1])
        if name == "Ref":
            return f"${{{arg}}}"
        if name == "Fn::GetAtt":
            return "${" + ".".join(str(x) for x in (arg if isinstance(arg, list) else [arg])) + "}"
    return ""


class Template:
    def __init__(self, path: str, document: LDict, settings: AdrSettings, text: str = "") -> None:
        self.path = path
        self.rows = text.splitlines()
        self.settings = settings
        parameters = document.get("Parameters")
        self.parameters: dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        resources = document.get("Resources")
        self.resources: dict[str, Any] = {k: v for k, v in (resources.items() if isinstance(resources, dict) else ())
                                          if isinstance(v, LDict)}
        # The line of each logical id: where a person looks for the resource.
        self.id_lines: dict[str, int] = resources.key_lines if isinstance(resources, LDict) else {}

    def is_secret_ref(self, name: str) -> bool:
        parameter = self.parameters.get(name)
        if not isinstance(parameter, dict) or str(parameter.get("Type", "")) in ("Number", "List<Number>"):
            return False
        return str(parameter.get("NoEcho", "")).lower() == "true" or secret_like_key(name)

    def _ref_is_secret(self, value: Any) -> bool:
        if isinstance(value, dict) and list(value) == ["Ref"] and isinstance(value["Ref"], str):
            return self.is_secret_ref(value["Ref"])
        text = _flatten(value)
        return names_deploy_time_secret(text) or any(self.is_secret_ref(r) for r in re.findall(r"\$\{([\w]+)\}", text))

    def _typed(self, *types: str) -> Iterator[tuple[str, LDict, dict[str, Any]]]:
        for name, resource in self.resources.items():
            if resource.get("Type") in types:
                properties = resource.get("Properties")
                yield name, resource, properties if isinstance(properties, dict) else {}

    def check(self) -> list[Violation]:
        found: list[Violation] = []
        for checker in (self._parameters, self._ssm, self._lambda, self._ecs, self._user_data,
                        self._secrets, self._rotations, self._rds, self._policies, self._eks):
            found.extend(checker())
        return found

    def _v(self, line: int, check: str, resource: str, message: str, fix: str) -> Violation:
        return Violation(self.path, line, check, resource, message, fix)

    def _parameters(self) -> Iterator[Violation]:
        for name, parameter in self.parameters.items():
            if not isinstance(parameter, LDict) or str(parameter.get("NoEcho", "")).lower() == "true":
                continue
            kind = str(parameter.get("Type", "String"))
            if kind.startswith("AWS::") or kind in ("Number", "List<Number>"):
                continue  # typed parameters hold ids and names (a key pair, an SSM parameter), never a secret
            if secret_like_key(name, bare_key=False):
                yield self._v(self.parameters.line_of(name) if isinstance(self.parameters, LDict) else parameter.line,
                              "cfn-parameter-noecho", f"Parameters.{name}",
                              f"parameter {name} looks like a password but is not NoEcho",
                              "    NoEcho: true  # better: resolve it from Secrets Manager at run time")

    def _ssm(self) -> Iterator[Violation]:
        for name, resource, props in self._typed("AWS::SSM::Parameter"):
            label = props.get("Name") if isinstance(props.get("Name"), str) else name
            if props.get("Type") in ("String", "StringList") and secret_like_key(str(label).rsplit("/", 1)[-1]):
                yield self._v(props.line_of("Type") if isinstance(props, LDict) else resource.line, "ssm-string-secret", name,
                              f"SSM parameter {label} holds a secret-like value as plain {props.get('Type')}",
                              "  Type: AWS::SecretsManager::Secret  # with GenerateSecretString; workloads read it at run time")

    def _env(self, name: str, issues: list[EnvIssue], check: str, where: str) -> Iterator[Violation]:
        fixes = {
            "lambda-env-literal-secret": "        DB_SECRET_ARN: !Ref DbSecret  # the function fetches the value at run time",
            "ecs-env-literal-secret": "          Secrets:\n            - Name: DB_PASSWORD\n              ValueFrom: !Ref DbSecret",
            "user-data-literal-secret": "  # fetch at boot: aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text",
        }
        for issue in issues:
            if issue.kind == "literal":
                yield self._v(issue.line, check, name, f"{where} variable {issue.key} holds a literal secret-like value", fixes[check])
            else:
                yield self._v(issue.line, "deploy-time-secret", name,
                              f"{where} variable {issue.key} receives a secret resolved at deploy time "
                              "(dynamic reference or password parameter); it ends up in plaintext configuration",
                              fixes[check])

    def _is_secret_value(self, ref: str) -> bool:
        return self.is_secret_ref(ref)

    def _lambda(self) -> Iterator[Violation]:
        for name, _, props in self._typed("AWS::Lambda::Function", "AWS::Serverless::Function"):
            environment = props.get("Environment")
            variables = environment.get("Variables") if isinstance(environment, dict) else None
            if not isinstance(variables, LDict):
                continue
            pairs = []
            for key, value in variables.items():
                if isinstance(value, dict) and self._ref_is_secret(value):
                    value = _RESOLVED_PARAMETER
                pairs.append((key, value, variables.line_of(key)))
            yield from self._env(name, env_issues(pairs, self._is_secret_value), "lambda-env-literal-secret", "Lambda environment")

    def _ecs(self) -> Iterator[Violation]:
        for name, resource, props in self._typed("AWS::ECS::TaskDefinition"):
            for container in props.get("ContainerDefinitions") or []:
                if isinstance(container, dict):
                    pairs = [(k, _RESOLVED_PARAMETER if isinstance(v, dict) and self._ref_is_secret(v) else v, line)
                             for k, v, line in ecs_env_pairs(container, resource.line)]
                    yield from self._env(name, env_issues(pairs, self._is_secret_value), "ecs-env-literal-secret", "ECS container environment")

    def _user_data(self) -> Iterator[Violation]:
        for name, resource, props in self._typed("AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration"):
            holder = props.get("LaunchTemplateData") if resource.get("Type") == "AWS::EC2::LaunchTemplate" else props
            if not isinstance(holder, LDict) or "UserData" not in holder:
                continue
            text = _flatten(holder["UserData"])
            first = self._first_line_of(text, holder.line_of("UserData"))
            issues = user_data_issues(text, first, self.is_secret_ref)
            yield from self._env(name, list({(i.kind, i.key): i for i in issues}.values()), "user-data-literal-secret", "user data")

    def _first_line_of(self, text: str, after: int) -> int:
        """Where a block string's first line sits in the file (YAML keeps no line for scalars)."""
        first = next((row.strip() for row in text.splitlines() if row.strip()), "")
        for number in range(after, len(self.rows) + 1):
            if first and first in self.rows[number - 1]:
                return number
        return after + 1

    def _secrets(self) -> Iterator[Violation]:
        rotated = set()
        for _, _, props in self._typed("AWS::SecretsManager::RotationSchedule"):
            secret = props.get("SecretId")
            if isinstance(secret, dict) and isinstance(secret.get("Ref"), str):
                rotated.add(secret["Ref"])
        for name, resource, props in self._typed("AWS::SecretsManager::Secret"):
            if name in rotated:
                continue
            tags = {str(t.get("Key")): str(t.get("Value")) for t in props.get("Tags") or [] if isinstance(t, dict)}
            period = tags.get("rotation-period-days", "")
            if period.isdigit() and tags.get("rotation-mode") == "manual":
                if int(period) > self.settings.max_rotation_days:
                    yield self._v(resource.line_of("Properties"), "rotation-period-too-long", name,
                                  f"manual rotation period of {period} days exceeds the maximum of {self.settings.max_rotation_days}",
                                  f'          Value: "{self.settings.max_rotation_days}"')
                continue
            yield self._v(self.id_lines.get(name, resource.line), "secret-rotation-undocumented", name,
                          f"secret {name} has no RotationSchedule and no documented manual period "
                          "(tags rotation-period-days + rotation-mode: manual)", CFN_ROTATION_TAGS)

    def _rotations(self) -> Iterator[Violation]:
        for name, resource, props in self._typed("AWS::SecretsManager::RotationSchedule"):
            rules = props.get("RotationRules")
            if not isinstance(rules, LDict):
                continue
            days = rules.get("AutomaticallyAfterDays")
            expression = rules.get("ScheduleExpression")
            if not isinstance(days, int) and isinstance(expression, str):
                match = _RATE.search(expression)
                days = int(match.group(1)) if match else None
            if isinstance(days, int) and days > self.settings.max_rotation_days:
                yield self._v(rules.line, "rotation-period-too-long", name,
                              f"rotation every {days} days exceeds the maximum of {self.settings.max_rotation_days}",
                              f"        AutomaticallyAfterDays: {self.settings.max_rotation_days}")

    def _rds(self) -> Iterator[Violation]:
        for name, resource, props in self._typed("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"):
            if "MasterUserPassword" not in props or str(props.get("ManageMasterUserPassword", "")).lower() == "true":
                continue
            if "{{resolve:secretsmanager:" in _flatten(props["MasterUserPassword"]):
                continue  # held in Secrets Manager already
            line = props.line_of("MasterUserPassword") if isinstance(props, LDict) else resource.line
            yield self._v(line, "rds-password-unmanaged", name,
                          "MasterUserPassword is set instead of being managed by Secrets Manager",
                          "      ManageMasterUserPassword: true  # remove MasterUserPassword")

    def _policy(self, name: str, issues: list[PolicyIssue]) -> Iterator[Violation]:
        for issue in issues:
            yield self._v(issue.line, issue.check, name, issue.message, issue.fix)

    def _policies(self) -> Iterator[Violation]:
        prefixes = self.settings.secret_name_prefixes
        for name, resource, props in self._typed(*_IDENTITY):
            yield from self._policy(name, identity_policy_issues(props.get("PolicyDocument"), prefixes, resource.line))
        for name, resource, props in self._typed(*_WITH_INLINE):
            for policy in props.get("Policies") or []:
                if isinstance(policy, dict):
                    yield from self._policy(name, identity_policy_issues(policy.get("PolicyDocument"), prefixes, resource.line))
        for name, resource, props in self._typed("AWS::SecretsManager::ResourcePolicy"):
            yield from self._policy(name, resource_policy_issues(props.get("ResourcePolicy"), resource.line))

    def _eks(self) -> Iterator[Violation]:
        for name, resource, props in self._typed("AWS::EKS::Cluster"):
            configs = props.get("EncryptionConfig") or []
            if not any(isinstance(c, dict) and "secrets" in (c.get("Resources") or []) for c in configs):
                yield self._v(self.id_lines.get(name, resource.line), "eks-secrets-encryption", name,
                              f"EKS cluster {name} does not encrypt Kubernetes secrets with a KMS key",
                              "      EncryptionConfig:\n        - Resources: [secrets]\n          Provider:\n"
                              f"            KeyArn: !GetAtt {name}SecretsKey.Arn")

"""Values crossing the adr package's boundaries: checks, violations, results."""
from __future__ import annotations

from dataclasses import dataclass, field

from secretshift.models import Skipped  # the scan's own "file not read, and why"

# The ADR's decision, clause by clause, in its order (numbers used in every report).
CLAUSES: dict[int, str] = {
    1: "Use AWS Secrets Manager to store and manage secrets",
    2: "Secrets are fetched and injected into AWS resources at runtime",
    3: "The rotation period (lifetime) of each secret is captured",
    4: "Rotate automatically where possible (or follow a documented manual process)",
    5: "IAM policy statements give least-privilege access to secrets",
    6: "EKS uses KMS secrets encryption",
    7: "Kubernetes secrets are namespace-local; several clusters use External Secrets Operator",
}


@dataclass(frozen=True)
class Check:
    id: str
    clause: int
    title: str


_CHECK_LIST = (
    Check("ssm-string-secret", 1, "Secret-like value in an SSM String parameter instead of Secrets Manager"),
    Check("lambda-env-literal-secret", 1, "Secret-like literal in a Lambda function's environment"),
    Check("ecs-env-literal-secret", 1, "Secret-like literal in an ECS container's environment"),
    Check("user-data-literal-secret", 1, "Secret-like literal in EC2 user data or a launch template"),
    Check("cfn-parameter-noecho", 1, "CloudFormation password parameter without NoEcho: true"),
    Check("tf-secret-not-sensitive", 1, "Terraform secret-like variable or output without sensitive = true"),
    Check("deploy-time-secret", 2, "Secret resolved at deploy time into plaintext configuration"),
    Check("secret-rotation-undocumented", 3, "Secret with neither rotation nor a documented manual period"),
    Check("rotation-period-too-long", 4, "Rotation period longer than the allowed maximum"),
    Check("secret-rotation-overdue", 4, "Secret past its rotation period (live account)"),
    Check("rds-password-unmanaged", 4, "RDS/Aurora master password not managed by Secrets Manager"),
    Check("iam-secretsmanager-wildcard-action", 5, "IAM statement allows every Secrets Manager action"),
    Check("iam-secret-read-wildcard-resource", 5, "IAM statement reads secrets on a wildcard resource"),
    Check("iam-kms-decrypt-wildcard", 5, "kms:Decrypt on every key without a kms:ViaService condition"),
    Check("secret-policy-public", 5, "Secret resource policy allows any principal without a condition"),
    Check("eks-secrets-encryption", 6, "EKS cluster without KMS encryption of Kubernetes secrets"),
    Check("k8s-secret-literal", 7, "Kubernetes Secret with literal data committed"),
    Check("k8s-secret-multi-cluster", 7, "The same Secret committed for several clusters instead of an ExternalSecret"),
    Check("eso-cluster-secret-store", 7, "ClusterSecretStore where a namespace SecretStore serves"),
)
CHECKS: dict[str, Check] = {check.id: check for check in _CHECK_LIST}


@dataclass(frozen=True, order=True)
class Violation:
    """One departure from the ADR. ``line`` is 1-based; 0 means "no line" (a live resource).

    ``message`` and ``fix`` never quote a secret-like value: they name keys and resources only.
    """

    path: str
    line: int
    check: str
    resource: str
    message: str
    fix: str
    # Set when an exception for this violation exists but has expired.
    expired_exception: str = ""

    @property
    def clause(self) -> int:
        return CHECKS[self.check].clause


@dataclass(frozen=True)
class AdrResult:
    violations: tuple[Violation, ...]
    excepted: tuple[Violation, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    files_checked: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

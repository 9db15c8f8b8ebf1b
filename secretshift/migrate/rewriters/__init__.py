"""Registered rewriters, in the order they are tried; the first whose ``applies_to`` is true wins."""
from __future__ import annotations

from secretshift.migrate.rewriters.base import Rewriter, RewriteSettings


def registry() -> list[Rewriter]:
    # Explicit registry (no import-time discovery). Specific file kinds before generic ones.
    # Each rewriter module imports its heavy parser (libcst, ruamel) only inside `rewrite`.
    from secretshift.migrate.rewriters.cloudformation import CloudFormationRewriter
    from secretshift.migrate.rewriters.compose import ComposeRewriter
    from secretshift.migrate.rewriters.dockerfile import DockerfileRewriter
    from secretshift.migrate.rewriters.dotenv import DotenvRewriter
    from secretshift.migrate.rewriters.ecs_task import EcsTaskDefinitionRewriter
    from secretshift.migrate.rewriters.env_placeholder import EnvPlaceholderRewriter
    from secretshift.migrate.rewriters.github_workflow import GitHubWorkflowRewriter
    from secretshift.migrate.rewriters.golang import GoRewriter
    from secretshift.migrate.rewriters.helm import HelmValuesRewriter
    from secretshift.migrate.rewriters.java import JavaRewriter
    from secretshift.migrate.rewriters.javascript import JavaScriptRewriter
    from secretshift.migrate.rewriters.k8s_secret import KubernetesSecretRewriter
    from secretshift.migrate.rewriters.python import PythonRewriter
    from secretshift.migrate.rewriters.structured_config import StructuredConfigRewriter
    from secretshift.migrate.rewriters.terraform import TerraformRewriter

    rewriters: list[Rewriter] = [
        EcsTaskDefinitionRewriter(),
        CloudFormationRewriter(),
        KubernetesSecretRewriter(),
        HelmValuesRewriter(),  # only for a chart's values file (see rewriter_for)
        GitHubWorkflowRewriter(),
        ComposeRewriter(),
        DockerfileRewriter(),
        TerraformRewriter(),
        JavaScriptRewriter(),
        GoRewriter(),
        JavaRewriter(),
        DotenvRewriter(),
        PythonRewriter(),
        EnvPlaceholderRewriter(),
        StructuredConfigRewriter(),  # any other YAML / JSON: last
    ]
    return rewriters


def rewriter_for(path: str, text: str, settings: RewriteSettings | None = None) -> Rewriter | None:
    from secretshift.migrate.rewriters.helm import is_chart_values

    chart = settings is not None and is_chart_values(path, settings)
    for rewriter in registry():
        if rewriter.name == "helm" and not chart:
            continue
        if rewriter.applies_to(path, text):
            return rewriter
    return None

"""Realistic sample repositories for the migration suite, built at run time from generated fakes
(`build(root) -> Sample`): a Django/Flask service, a Node/TypeScript service with a Helm chart and
Kubernetes Secrets, and an infrastructure repository (Terraform, CloudFormation, ECS, Go, Spring,
GitHub workflow, Dockerfile, TOML/INI)."""

"""`secretshift adr check`: infrastructure code and the live AWS account held to ADR 005.

Readers turn Terraform, CloudFormation, Kubernetes (incl. kustomize and eksctl), IAM policy and
ECS task-definition files into located values; checks (one module per family) turn those into
:class:`~secretshift.adr.model.Violation` values, each tied to one ADR clause.
"""

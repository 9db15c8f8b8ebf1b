"""Migration of hard-coded secrets into AWS Secrets Manager: plan -> apply -> rewrite."""

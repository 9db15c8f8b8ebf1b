resource "aws_kms_key" "secrets" {
  description         = "payments secrets"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key_policy.json
}

resource "aws_secretsmanager_secret" "db" { # ok: rotated by the rotation resource below
  name       = "${local.name}/db"
  kms_key_id = aws_kms_key.secrets.arn
}

resource "aws_secretsmanager_secret_rotation" "db" { # ok: 30 days
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = var.rotation_lambda_arn

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "stripe" { # ok: manual rotation documented through locals
  name       = "${local.name}/stripe"
  kms_key_id = aws_kms_key.secrets.arn
  tags       = local.manual_rotation_tags
}

resource "aws_secretsmanager_secret" "webhook" { # expect: secret-rotation-undocumented
  name = "${local.name}/webhook-signing"
  tags = merge(local.base_tags, { purpose = "webhooks" })
}

resource "aws_secretsmanager_secret" "legacy_partner" {
  name = "${local.name}/partner-sftp"
  tags = { # expect: rotation-period-too-long
    "rotation-period-days" = "365"
    "rotation-mode"        = "manual"
  }
}

resource "aws_secretsmanager_secret" "reporting" { # ok: rotated (too slowly, see below)
  name = "${local.name}/reporting"
}

resource "aws_secretsmanager_secret_rotation" "reporting" {
  secret_id           = aws_secretsmanager_secret.reporting.arn
  rotation_lambda_arn = var.rotation_lambda_arn
  rotation_rules { # expect: rotation-period-too-long
    schedule_expression = "rate(180 days)"
  }
}

resource "aws_ssm_parameter" "db_host" { # ok: not a secret
  name  = "/payments/${var.environment}/db_host"
  type  = "String"
  value = aws_db_instance.main.address
}

resource "aws_ssm_parameter" "api_token" {
  name  = "/payments/${var.environment}/api_token"
  type  = "String" # expect: ssm-string-secret
  value = var.api_token
}

resource "aws_ssm_parameter" "signing_secret" { # ok: SecureString look-alike (not String)
  name  = "/payments/${var.environment}/signing_secret_arn"
  type  = "SecureString"
  value = aws_secretsmanager_secret.webhook.arn
}

resource "aws_ssm_parameter" "db_secret_arn" { # ok: points at the secret
  name  = "/payments/${var.environment}/db_secret_arn"
  type  = "String"
  value = aws_secretsmanager_secret.db.arn
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = aws_secretsmanager_secret.db.id
}

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "random_password" "redis" {
  length = 24
}

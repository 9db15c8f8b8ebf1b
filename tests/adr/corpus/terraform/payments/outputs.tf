output "db_password" { # expect: tf-secret-not-sensitive
  description = "Generated master password"
  value       = random_password.db.result
}

output "db_secret_arn" { # ok: the ARN, not the value
  value = aws_secretsmanager_secret.db.arn
}

output "api_token" { # ok: sensitive
  value     = var.api_token
  sensitive = true
}

output "connection_secret" { # expect: tf-secret-not-sensitive
  value = data.aws_secretsmanager_secret_version.db.secret_string
}

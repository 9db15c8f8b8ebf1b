variable "environment" {
  description = "Deployment environment (dev, staging, prod)"
  type        = string
}

variable "db_password" { # expect: tf-secret-not-sensitive
  description = "Master password for the payments database"
  type        = string
}

variable "stripe_api_key" { # ok: sensitive already
  description = "Stripe key, injected by the pipeline"
  type        = string
  sensitive   = true
}

variable "db_password_secret_arn" { # ok: names where the secret lives
  description = "ARN of the Secrets Manager secret holding the DB password"
  type        = string
  default     = ""
}

variable "enable_secret_rotation" { # ok: a switch about secrets, not a secret
  type    = bool
  default = true
}

variable "jwt_signing_key" { # expect: tf-secret-not-sensitive
  description = "HMAC key for session tokens"
}

variable "api_token" { # ok: sensitive
  type      = string
  sensitive = true
}

variable "token_ttl_seconds" { # ok: a number about tokens
  type    = number
  default = 3600
}

variable "rotation_lambda_arn" {
  type = string
}

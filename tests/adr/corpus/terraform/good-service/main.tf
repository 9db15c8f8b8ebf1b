# A service that follows ADR 005: every look-alike here must stay quiet.
variable "service" {
  type    = string
  default = "orders"
}

variable "db_credentials_secret_name" { # ok: a name, not the secret
  type    = string
  default = "orders/db"
}

variable "password_rotation_days" { # ok: a number about passwords
  type    = number
  default = 30
}

variable "admin_password" { # ok: sensitive
  type      = string
  sensitive = true
  default   = null
}

locals {
  tags = {
    service                = var.service
    "rotation-period-days" = "60"
    "rotation-mode"        = "manual"
  }
}

resource "aws_secretsmanager_secret" "api_keys" { # ok: manual rotation documented via local.tags
  name = "${var.service}/api-keys"
  tags = local.tags
}

resource "aws_secretsmanager_secret" "db" { # ok: inline documented tags
  name = "${var.service}/db"
  tags = merge(local.tags, { "rotation-period-days" = "30" })
}

data "aws_secretsmanager_secret" "db" {
  name = var.db_credentials_secret_name
}

resource "aws_lambda_function" "orders" {
  function_name = var.service
  role          = "arn:aws:iam::123456789012:role/orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/orders.zip"

  environment {
    variables = {
      DB_SECRET_ARN        = data.aws_secretsmanager_secret.db.arn # ok: the function fetches at run time
      API_KEYS_SECRET_NAME = aws_secretsmanager_secret.api_keys.name # ok: a name
      CACHE_KEY            = "orders-v2" # ok: not a credential
      PASSWORD_POLICY      = "strict" # ok: a policy name
      AUTH_TOKEN_TTL       = "900" # ok: a lifetime
      SECRET_ARN           = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf" # ok: an ARN
      DB_PASSWORD          = "" # ok: empty, set at run time
    }
  }
}

resource "aws_ecs_task_definition" "orders" {
  family = var.service
  container_definitions = jsonencode([{
    name  = "orders"
    image = "orders:1.0"
    environment = [
      { name = "SECRET_NAME", value = "orders/db" }, # ok: a name
      { name = "API_TOKEN_HEADER", value = "X-Api-Token" }, # ok: a header name
    ]
    secrets = [
      { name = "DB_PASSWORD", valueFrom = "${data.aws_secretsmanager_secret.db.arn}:password::" }, # ok: valueFrom
    ]
  }])
}

data "aws_iam_policy_document" "orders" {
  statement { # ok: exact ARN through a reference
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [data.aws_secretsmanager_secret.db.arn, aws_secretsmanager_secret.api_keys.arn]
  }
  statement { # ok: wildcard inside the allowed shared/ prefix
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/orders/*"]
  }
  statement { # ok: kms:Decrypt on one key
    actions   = ["kms:Decrypt"]
    resources = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
  }
  statement { # ok: wildcard on other services
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::orders-artifacts/*"]
  }
}

resource "aws_iam_policy" "orders" {
  name   = "orders"
  policy = data.aws_iam_policy_document.orders.json
}

resource "aws_db_instance" "orders" { # ok: managed master password
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.small"
  allocated_storage           = 20
  username                    = "orders"
  manage_master_user_password = true
}

resource "aws_ssm_parameter" "feature_flags" { # ok: not secret-like
  name  = "/orders/feature_flags"
  type  = "StringList"
  value = "checkout-v2,fast-refunds"
}

resource "aws_ssm_parameter" "token_endpoint" { # ok: a URL about tokens
  name  = "/orders/token_endpoint"
  type  = "String"
  value = "https://auth.example.com/oauth2/token"
}

output "db_secret_name" { # ok: a name
  value = data.aws_secretsmanager_secret.db.name
}

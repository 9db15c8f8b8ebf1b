resource "aws_lambda_function" "api" {
  function_name = "${local.name}-api"
  role          = aws_iam_role.api.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "${path.module}/build/api.zip"

  environment {
    variables = {
      LOG_LEVEL           = "info"
      DB_SECRET_ARN       = aws_secretsmanager_secret.db.arn # ok: fetched at run time
      STRIPE_API_KEY      = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ" # expect: lambda-env-literal-secret
      DB_PASSWORD         = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"] # expect: deploy-time-secret
      JWT_SIGNING_KEY     = var.jwt_signing_key # expect: deploy-time-secret
      PASSWORD_MIN_LENGTH = "12" # ok: a rule about passwords
      TOKEN_URL           = "https://auth.example.com/oauth2/token" # ok: a URL
    }
  }
}

resource "aws_lambda_function" "worker" {
  function_name = "${local.name}-worker"
  role          = aws_iam_role.api.arn
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "${path.module}/build/worker.zip"
  layers        = ["arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"]

  environment {
    variables = {
      SECRETS_EXTENSION_HTTP_PORT = "2773"
      API_KEY_SECRET_NAME         = "payments/api" # ok: a secret's name
      SESSION_SECRET_ID           = aws_secretsmanager_secret.webhook.id # ok: an id
    }
  }
}

resource "aws_iam_role" "api" {
  name               = "${local.name}-api"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

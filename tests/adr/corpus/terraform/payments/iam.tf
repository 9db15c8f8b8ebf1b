data "aws_iam_policy_document" "api_read" {
  statement { # ok: exact secret, exact actions
    sid       = "ReadDbSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.db.arn]
  }

  statement { # ok: decrypt only through Secrets Manager
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.eu-west-1.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "api_read" {
  name   = "read-secrets"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api_read.json
}

data "aws_iam_policy_document" "ops" {
  statement { # expect: iam-secretsmanager-wildcard-action iam-secret-read-wildcard-resource
    sid       = "OpsBreakGlass"
    actions   = ["secretsmanager:*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "ops" {
  name   = "${local.name}-ops"
  policy = data.aws_iam_policy_document.ops.json
}

resource "aws_iam_policy" "ci" {
  name = "${local.name}-ci-deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { # expect: iam-secret-read-wildcard-resource
        Sid      = "ReadAllSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = "arn:aws:secretsmanager:*:*:secret:*"
      },
    ]
  })
}

resource "aws_iam_policy" "payments_read" {
  name = "${local.name}-read"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # ok: one secret, ASM's random suffix wildcard
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-??????"
    }]
  })
}

resource "aws_iam_role_policy" "decrypt" {
  name   = "decrypt"
  role   = aws_iam_role.api.id
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
      "Resource": "*"
    }
  ]
}
EOF
}

resource "aws_iam_policy" "deny_outside_vpc" {
  name = "${local.name}-deny"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # ok: a Deny statement
      Effect    = "Deny"
      Action    = "secretsmanager:*"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" } }
    }]
  })
}

data "aws_iam_policy_document" "key_policy" {
  statement { # ok: a KMS key policy: "*" means this key
    sid       = "AccountAdmin"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "db" {
  secret_arn = aws_secretsmanager_secret.db.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # expect: secret-policy-public
      Effect    = "Allow"
      Principal = "*"
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })
}

resource "aws_secretsmanager_secret_policy" "stripe" {
  secret_arn = aws_secretsmanager_secret.stripe.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ # ok: "*" limited to the organisation
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}

# (no comments inside the heredoc) expect@72: iam-kms-decrypt-wildcard

resource "aws_ecs_task_definition" "web" {
  family                   = "${local.name}-web"
  requires_compatibilities = ["FARGATE"]
  cpu                      = 512
  memory                   = 1024
  network_mode             = "awsvpc"
  execution_role_arn       = aws_iam_role.api.arn

  container_definitions = jsonencode([
    {
      name  = "web"
      image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-web:1.4.2"
      environment = [
        { name = "PORT", value = "8080" },
        { name = "DATABASE_PASSWORD", value = "Pa55w0rd-payments-prod" }, # expect: ecs-env-literal-secret
        { name = "STRIPE_PUBLISHABLE_KEY_ID", value = "pk_live_id" },
      ]
      secrets = [
        { name = "STRIPE_API_KEY", valueFrom = aws_secretsmanager_secret.stripe.arn }, # ok: valueFrom
      ]
    }
  ])
}

resource "aws_ecs_task_definition" "sidecar" {
  family                = "${local.name}-cache-proxy"
  container_definitions = <<DEFS
[
  {
    "name": "proxy",
    "image": "public.ecr.aws/docker/library/redis:7",
    "environment": [
      {"name": "REDIS_AUTH_TOKEN", "value": "${random_password.redis.result}"},
      {"name": "REDIS_PORT", "value": "6379"}
    ]
  }
]
DEFS
}
# (the heredoc above cannot hold a comment) expect@33: deploy-time-secret

resource "aws_db_instance" "main" {
  identifier          = "${local.name}-db"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.t4g.medium"
  allocated_storage   = 50
  username            = "payments"
  password            = random_password.db.result # expect: rds-password-unmanaged
  skip_final_snapshot = false
}

resource "aws_db_instance" "replica" { # ok: a replica has no password of its own
  identifier          = "${local.name}-db-replica"
  replicate_source_db = aws_db_instance.main.identifier
  instance_class      = "db.t4g.medium"
}

resource "aws_rds_cluster" "analytics" { # ok: RDS manages the password in Secrets Manager
  cluster_identifier          = "${local.name}-analytics"
  engine                      = "aurora-postgresql"
  master_username             = "analytics"
  manage_master_user_password = true
}

data "aws_secretsmanager_secret_version" "legacy_db" {
  secret_id = "payments/legacy-db"
}

resource "aws_rds_cluster" "legacy" { # ok: password held in Secrets Manager
  cluster_identifier = "${local.name}-legacy"
  engine             = "aurora-mysql"
  master_username    = "admin"
  master_password    = jsondecode(data.aws_secretsmanager_secret_version.legacy_db.secret_string)["password"]
}

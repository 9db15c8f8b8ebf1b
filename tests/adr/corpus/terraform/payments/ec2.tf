resource "aws_launch_template" "worker" {
  name_prefix   = "${local.name}-worker-"
  image_id      = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.small"

  user_data = base64encode(<<-EOT
    #!/bin/bash
    set -euo pipefail
    export APP_ENV=${var.environment}
    export DB_PASSWORD=${var.db_password}
    systemctl start payments-worker
  EOT
  )
}

resource "aws_instance" "bastion" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.micro"
  user_data     = <<-EOF
    #!/bin/bash
    echo "configuring bastion"
    export MONITORING_API_KEY=4f9c2e7a1b3d5f6e8a0c
  EOF
}

resource "aws_instance" "app" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.small"
  user_data     = <<-EOF
    #!/bin/bash
    DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id payments/db --query SecretString --output text)
    export DB_PASSWORD
  EOF
}
# (no comments inside user data) expect@10: deploy-time-secret
# expect@22: user-data-literal-secret
# ok@31: fetched at boot with the instance role

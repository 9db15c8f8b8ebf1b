locals {
  name = "payments-${var.environment}"

  base_tags = {
    team        = "payments"
    environment = var.environment
    managed-by  = "terraform"
  }

  # Secrets rotated by hand carry their lifetime (see docs/runbooks/secrets.md).
  manual_rotation_tags = merge(local.base_tags, {
    "rotation-period-days" = "30"
    "rotation-mode"        = "manual"
  })
}

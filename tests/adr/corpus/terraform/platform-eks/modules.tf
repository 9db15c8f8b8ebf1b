module "eks_data" { # ok: the module encrypts secrets by default
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "data"
  cluster_version = "1.30"
  subnet_ids      = var.subnet_ids
  vpc_id          = "vpc-0a1b2c3d"
}

module "eks_ci" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 19.21"

  cluster_name              = "ci-runners"
  cluster_version           = "1.29"
  subnet_ids                = var.subnet_ids
  vpc_id                    = "vpc-0a1b2c3d"
  create_kms_key            = false
  cluster_encryption_config = {} # expect: eks-secrets-encryption
}

module "eks_tools" { # ok: an explicit key
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 19.21"

  cluster_name   = "tools"
  subnet_ids     = var.subnet_ids
  vpc_id         = "vpc-0a1b2c3d"
  create_kms_key = false
  cluster_encryption_config = {
    resources        = ["secrets"]
    provider_key_arn = aws_kms_key.eks.arn
  }
}

# The AWS provider for the lab: the lab's emulator (moto) on loopback, with dummy keys, so
# nothing real is reachable. The account ID comes from the emulator's STS: without one, a rule
# that references a group reads as another account's. A service the stack uses needs its line
# under endpoints, or the provider would reach for AWS.
# Rendered by the generators from generators/roots/lab-providers.tf and the model. Do not edit: edit the source, then run `npm run generate`.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "lab"
  secret_key                  = "lab"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    autoscaling = "http://127.0.0.1:4566"
    ce          = "http://127.0.0.1:4566"
    ec2         = "http://127.0.0.1:4566"
    iam         = "http://127.0.0.1:4566"
    logs        = "http://127.0.0.1:4566"
    s3          = "http://127.0.0.1:4566"
    scheduler   = "http://127.0.0.1:4566"
    ssm         = "http://127.0.0.1:4566"
    sts         = "http://127.0.0.1:4566"
    budgets     = "http://127.0.0.1:4566"
  }
  default_tags {
    tags = module.stack.tags
  }
}

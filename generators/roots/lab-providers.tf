# The AWS provider for the lab: the lab's emulator (moto) on loopback, with dummy keys, so
# nothing real is reachable. The account ID comes from the emulator's STS: without one, a rule
# that references a group reads as another account's. A service the stack uses needs its line
# under endpoints, or the provider would reach for AWS.

provider "aws" {
  region                      = "{{ region }}"
  access_key                  = "lab"
  secret_key                  = "lab"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    autoscaling = "{{ emulator }}"
    ce          = "{{ emulator }}"
    ec2         = "{{ emulator }}"
    iam         = "{{ emulator }}"
    logs        = "{{ emulator }}"
    s3          = "{{ emulator }}"
    scheduler   = "{{ emulator }}"
    ssm         = "{{ emulator }}"
    sts         = "{{ emulator }}"
    budgets     = "{{ emulator }}"
  }
  default_tags {
    tags = module.stack.tags
  }
}

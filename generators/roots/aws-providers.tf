# The AWS provider for your own account: credentials from your environment, as the AWS CLI
# finds them.

provider "aws" {
  region = "{{ region }}"
  default_tags {
    tags = module.stack.tags
  }
}

# The AWS provider for your own account: credentials from your environment, as the AWS CLI
# finds them.
# Rendered by the generators from generators/roots/aws-providers.tf and the model. Do not edit: edit the source, then run `npm run generate`.

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = module.stack.tags
  }
}

# The VPC's default security group, and the region's default EBS encryption.
# Copied by generator 09 from generators/09-guardrails/account.tf. Do not edit: edit the source, then run `npm run generate -- --test 9`.

# Every VPC comes with a default group that lets its members talk to each other and out.
# Nothing of the kit uses it; taking its rules away means an interface left in it by
# mistake is reachable by nothing and reaches nothing.
resource "aws_default_security_group" "this" {
  vpc_id = var.vpc_id
  tags   = merge(var.tags, { Name = "${var.name}-default-unused" })
}

# Every new volume in the region is encrypted (with the free AWS-managed key), whoever
# makes it. An account-wide setting: destroying this module turns it off again.
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

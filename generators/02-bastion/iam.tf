# The bastion's role: Session Manager's channels, and the right to attach one interface — its own — to its own instances.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "bastion" {
  name               = "${var.name}-bastion"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = merge(var.tags, { Name = "${var.name}-bastion" })
}

# Session Manager: a shell on the bastion without SSH, for when home's address changes.
# Only its channels: AWS's managed AmazonSSMManagedInstanceCore would also let the bastion
# read every parameter, the Talos secrets bundle included. Its channels take no resource.
resource "aws_iam_role_policy" "session_manager" {
  name   = "session-manager"
  role   = aws_iam_role.bastion.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ssm:UpdateInstanceInformation", Resource = "arn:aws:ec2:*:*:instance/*" }, { Effect = "Allow", Action = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], Resource = "*" }] })
}

data "aws_iam_policy_document" "fixed_interface" {
  statement {
    sid       = "TheFixedInterfaceOnly"
    actions   = ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"]
    resources = [aws_network_interface.bastion.arn]
  }
  statement {
    sid       = "InstancesOfThisGroupOnly"
    actions   = ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"]
    resources = ["arn:aws:ec2:*:*:instance/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/aws:autoscaling:groupName"
      values   = [var.asg_name]
    }
  }
  statement {
    sid       = "ReportItselfUnhealthy"
    actions   = ["autoscaling:SetInstanceHealth"]
    resources = ["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${var.asg_name}"]
  }
  # The hard cap: read the month's actual spend from the budget, and when it has reached the
  # limit, scale this group (and no other) to zero with its schedule suspended.
  statement {
    sid       = "ReadTheBudget"
    actions   = ["budgets:ViewBudget"]
    resources = ["arn:aws:budgets::*:budget/${var.budget_name}"]
  }
  statement {
    sid       = "StopItsOwnGroup"
    actions   = ["autoscaling:SuspendProcesses", "autoscaling:SetDesiredCapacity", "autoscaling:ResumeProcesses"]
    resources = ["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${var.asg_name}"]
  }
  # The nodes' machine configs, for matchbox to serve (generator 04 publishes them); the
  # secrets bundle beside them stays with the operator.
  statement {
    sid       = "ReadTheNodesConfigs"
    actions   = ["ssm:GetParametersByPath", "ssm:GetParameter", "ssm:GetParameters"]
    resources = ["arn:aws:ssm:*:*:parameter${var.talos_config_parameter_path}/configs", "arn:aws:ssm:*:*:parameter${var.talos_config_parameter_path}/configs/*"]
  }
  # The caches' upstream credentials, where the operator put them (the netboot start script
  # reads each; one that is not there means an anonymous pull).
  statement {
    sid       = "ReadTheCachesCredentials"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:aws:ssm:*:*:parameter${var.registry_credentials_parameter_path}/*"]
  }
  # Describe calls support no resource-level permissions.
  statement {
    sid       = "FindTheInterface"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "fixed_interface" {
  name   = "attach-fixed-interface"
  role   = aws_iam_role.bastion.id
  policy = data.aws_iam_policy_document.fixed_interface.json
}

resource "aws_iam_instance_profile" "bastion" {
  name = "${var.name}-bastion"
  role = aws_iam_role.bastion.name
  tags = merge(var.tags, { Name = "${var.name}-bastion" })
}

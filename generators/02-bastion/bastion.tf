# The bastion: its fixed interface, key, launch template, group of one and schedule.

locals {
  # The fixed address's host number in its subnet; its IPv6 uses the same number (….140 → ::8c).
  ip_octets   = [for o in split(".", var.private_ip) : tonumber(o)]
  net_octets  = [for o in split(".", split("/", var.subnet_cidr)[0]) : tonumber(o)]
  host_number = (local.ip_octets[0] - local.net_octets[0]) * 16777216 + (local.ip_octets[1] - local.net_octets[1]) * 65536 + (local.ip_octets[2] - local.net_octets[2]) * 256 + (local.ip_octets[3] - local.net_octets[3])
  # The user data: cloud-init writes the netboot bundle (README files aside), then runs the
  # boot script, which starts the bundle. Gzipped, as cloud-init accepts, to stay under 16 KiB.
  netboot_files = sort([for f in fileset(var.netboot_dir, "**") : f if !endswith(f, ".md")])
  cloud_config  = "#cloud-config\n${yamlencode({ write_files = [for f in local.netboot_files : { path = "{{ bundle_dir }}/${f}", encoding = "gz+b64", content = base64gzip(file("${var.netboot_dir}/${f}")), permissions = f == "start" ? "0755" : "0644" }] })}"
  user_data     = join("\n", ["Content-Type: multipart/mixed; boundary=\"{{ mime_boundary }}\"", "MIME-Version: 1.0", "", "--{{ mime_boundary }}", "Content-Type: text/cloud-config; charset=\"us-ascii\"", "", local.cloud_config, "--{{ mime_boundary }}", "Content-Type: text/x-shellscript; charset=\"us-ascii\"", "", file("${path.module}/bastion-boot.sh"), "--{{ mime_boundary }}--", ""])
  user_data_gz  = base64gzip(local.user_data)
}

data "aws_ssm_parameter" "ami" {
  name = var.ami_parameter
}

# An Auto Scaling group cannot pin a private IP (SPEC §3): the fixed address lives on this
# interface, which outlives every instance; the boot script attaches it.
resource "aws_network_interface" "bastion" {
  subnet_id       = var.subnet_id
  private_ips     = [var.private_ip]
  ipv6_addresses  = [cidrhost(var.subnet_ipv6_cidr, local.host_number)]
  security_groups = [aws_security_group.bastion.id]
  description     = "The bastion's fixed address; each bastion instance attaches it at boot"
  # Off when the bastion is the NAT, or AWS drops every packet it forwards for the subnet.
  source_dest_check = !var.nat
  tags              = merge(var.tags, { Name = "${var.name}-bastion", "{{ eni_tag }}" = var.asg_name })
  lifecycle {
    precondition {
      condition     = local.host_number >= 4 && local.host_number < pow(2, 32 - tonumber(split("/", var.subnet_cidr)[1])) - 1
      error_message = "private_ip must be inside subnet_cidr and not one of the addresses AWS reserves."
    }
  }
}

resource "aws_key_pair" "operator" {
  key_name   = "${var.name}-operator"
  public_key = var.ssh_public_key
  tags       = merge(var.tags, { Name = "${var.name}-operator" })
}

resource "aws_launch_template" "bastion" {
  name          = "${var.name}-bastion"
  image_id      = data.aws_ssm_parameter.ami.insecure_value
  instance_type = var.instance_type
  key_name      = aws_key_pair.operator.key_name
  # The first interface: in the public subnet with a public IPv4 when the bastion is the NAT.
  # AWS auto-assigns that address only to a new first interface, and releases it when the
  # group scales to zero, so it is paid only while the bastion runs (docs/decisions.md).
  network_interfaces {
    device_index                = 0
    associate_public_ip_address = var.nat
    security_groups             = [aws_security_group.bastion.id]
    delete_on_termination       = true
  }
  # The boot script is a file of its own (read it, shellcheck it, test it); the bundle rides along.
  user_data              = local.user_data_gz
  update_default_version = true
  iam_instance_profile {
    arn = aws_iam_instance_profile.bastion.arn
  }
  lifecycle {
    precondition {
      condition     = length(local.user_data_gz) <= 21848
      error_message = "The user data (boot script and netboot bundle, gzipped) is over the 16 KiB EC2 accepts: trim the bundle."
    }
  }
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  # Standard credits: a burst never turns into a charge.
  credit_specification {
    cpu_credits = "standard"
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }
  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.instance_name })
  }
  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.instance_name })
  }
  tags = merge(var.tags, { Name = "${var.name}-bastion" })
}

# At most one bastion. The group replaces a failed one; the schedules below start and stop it.
resource "aws_autoscaling_group" "bastion" {
  name                = var.asg_name
  min_size            = 0
  max_size            = 1
  desired_capacity    = 1
  vpc_zone_identifier = [var.nat ? var.public_subnet_id : var.subnet_id]
  health_check_type   = "EC2"
  # The bastion is ready when its boot script has attached the interface, not when the group says.
  wait_for_capacity_timeout = "0"
  launch_template {
    id      = aws_launch_template.bastion.id
    version = aws_launch_template.bastion.latest_version
  }
  dynamic "tag" {
    for_each = merge(var.tags, { Name = var.instance_name, "{{ budget_tag }}" = var.budget_name })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
  # The schedules own the running count, and the hard cap suspends them: an apply must undo
  # neither (the provider would resume a suspended process it does not list).
  lifecycle {
    ignore_changes = [desired_capacity, suspended_processes]
  }
}

# The bastion as the NAT: the private subnet's IPv4 default route leads to its fixed
# interface, which outlives every instance, so the route never changes.
resource "aws_route" "private_ipv4_bastion" {
  count                  = var.nat ? 1 : 0
  route_table_id         = var.route_table_id
  destination_cidr_block = "0.0.0.0/0"
  network_interface_id   = aws_network_interface.bastion.id
}

resource "aws_autoscaling_schedule" "start" {
  scheduled_action_name  = "${var.asg_name}-start"
  autoscaling_group_name = aws_autoscaling_group.bastion.name
  min_size               = 0
  max_size               = 1
  desired_capacity       = 1
  recurrence             = var.schedule_start
  time_zone              = var.schedule_time_zone
}

resource "aws_autoscaling_schedule" "stop" {
  scheduled_action_name  = "${var.asg_name}-stop"
  autoscaling_group_name = aws_autoscaling_group.bastion.name
  min_size               = 0
  max_size               = 1
  desired_capacity       = 0
  recurrence             = var.schedule_stop
  time_zone              = var.schedule_time_zone
}

# The Talos nodes: a launch template per role and one instance per node, only during an experiment session.
# Rendered by generator 04 from generators/04-talos/nodes.tf and the AMI table (generators/node-amis.ts) and the names in generators/04-talos.ts. Do not edit: edit the source, then run `npm run generate -- --test 4`.

# The official iPXE AMI (arm64, EFI): it runs the iPXE script in its user data, which images from 2026-07-14T12:10:19Z on fetch with an IMDSv2 token (ipxe/ipxe 345abfba1, src/config/cloud/aws.ipxe).
data "aws_ami" "ipxe" {
  count       = var.enabled && var.boot == "ipxe" ? 1 : 0
  most_recent = true
  owners      = ["833372943033"]
  # iPXE names each build by its date, and the newest build is the one wanted.
  filter {
    name   = "name"
    values = ["iPXE*"]
  }
  filter {
    name   = "architecture"
    values = ["arm64"]
  }
  lifecycle {
    postcondition {
      condition     = timecmp(self.creation_date, "2026-07-14T12:10:19Z") >= 0
      error_message = "The newest ipxe AMI, ${self.name} (${self.id}), was created before 2026-07-14T12:10:19Z: iPXE's AWS script fetches its user data with an IMDSv2 token only since then, and the nodes' launch template requires tokens. Fix: wait for a newer image, or use boot = \"ami\"."
    }
  }
}

# The official Talos AMI, which boots into maintenance mode until it is given a config.
data "aws_ami" "talos" {
  count       = var.enabled && var.boot == "ami" ? 1 : 0
  most_recent = true
  owners      = ["540036508848"]
  # The exact release: with a wildcard and most_recent, any newer image in the account whose
  # name starts the same would be picked instead.
  filter {
    name   = "name"
    values = ["talos-v${var.talos_version}-${data.aws_region.current.region}-arm64"]
  }
  filter {
    name   = "architecture"
    values = ["arm64"]
  }
}

# The region the Talos AMI's name carries (provider 6: `region`; `name` is deprecated).
data "aws_region" "current" {}

locals {
  image_id    = var.boot == "ipxe" ? one(data.aws_ami.ipxe[*].id) : one(data.aws_ami.talos[*].id)
  root_device = var.boot == "ipxe" ? one(data.aws_ami.ipxe[*].root_device_name) : one(data.aws_ami.talos[*].root_device_name)
  roles       = toset(distinct([for m in values(var.machines) : m.role]))
}

# One template per Talos role: arm64, no public IP, IMDSv2 only, encrypted system and data disks.
resource "aws_launch_template" "node" {
  for_each               = var.enabled ? local.roles : toset([])
  name                   = "${var.name}-node-${each.key}"
  image_id               = local.image_id
  instance_type          = var.instance_type
  update_default_version = true
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  block_device_mappings {
    device_name = local.root_device
    ebs {
      volume_size           = var.system_volume_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }
  block_device_mappings {
    device_name = "/dev/sdf"
    ebs {
      volume_size           = var.data_volume_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }
  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = "${var.name}-node-${each.key}" })
  }
  tags = merge(var.tags, { Name = "${var.name}-node-${each.key}" })
}

# Each node at its fixed address (an Auto Scaling group could not pin it; the Talos PKI is
# made for these addresses). With iPXE, its user data names it to matchbox, which picks
# its group by that name, and retries until the bastion (on the same hours) answers; EC2
# assigns the MAC, so the name is what is known beforehand.
# The address is on an interface of its own: private subnet, no public IP, the nodes' group.
resource "aws_network_interface" "node" {
  for_each        = var.enabled ? var.machines : {}
  subnet_id       = var.subnet_id
  private_ips     = [each.value.ip]
  security_groups = [aws_security_group.nodes.id]
  tags            = merge(var.tags, { Name = each.key })
}

resource "aws_instance" "node" {
  # checkov:skip=CKV_AWS_79:IMDSv2 is required by the node's launch template, which checkov does not follow
  # checkov:skip=CKV_AWS_8:both disks are encrypted by the node's launch template, which checkov does not follow
  # checkov:skip=CKV_AWS_135:Graviton types are EBS-optimized by default; the flag changes nothing for them
  # checkov:skip=CKV_AWS_126:detailed monitoring is billed as CloudWatch metrics, about $2 a month an instance: many times the budget
  # checkov:skip=CKV2_AWS_41:A Talos node calls no AWS API; a role would only hand credentials to whoever took it over
  for_each  = var.enabled ? var.machines : {}
  user_data = var.boot == "ipxe" ? "#!ipxe\nset node ${each.key}\n:retry\nchain ${var.matchbox_url}/ipxe?node=${each.key}&mac=$${mac:hexhyp}&arch=$${buildarch:uristring} || goto wait\n:wait\necho matchbox does not answer yet: again in 10 s\nsleep 10\ngoto retry\n" : null
  launch_template {
    id      = aws_launch_template.node[each.value.role].id
    version = aws_launch_template.node[each.value.role].latest_version
  }
  primary_network_interface {
    network_interface_id = aws_network_interface.node[each.key].id
  }
  tags = merge(var.tags, { Name = each.key, Role = each.value.role })
}

# Only when public_ipv4 is true, which the exposure audit (spec 09) refuses: a public node
# is scanned from the whole internet, and its address is billed by the hour.
resource "aws_eip" "node" {
  # checkov:skip=CKV2_AWS_19:it sits on the node's own interface, which EC2 keeps through a stop; made only when public_ipv4 is true
  for_each          = var.enabled && var.public_ipv4 ? var.machines : {}
  domain            = "vpc"
  network_interface = aws_network_interface.node[each.key].id
  tags              = merge(var.tags, { Name = each.key })
}

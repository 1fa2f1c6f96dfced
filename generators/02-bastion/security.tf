# The bastion's security group: SSH from the operator's /128 only, netboot services from the VPC.

resource "aws_security_group" "bastion" {
  name        = "${var.name}-bastion"
  description = "Bastion: SSH from the operator's home only; netboot services from inside the VPC"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-bastion" })
}

# The only ingress from outside the VPC in the whole design: one address, one port.
resource "aws_vpc_security_group_ingress_rule" "ssh_from_home" {
  security_group_id = aws_security_group.bastion.id
  description       = "SSH from the operator's home IPv6 address only"
  cidr_ipv6         = var.operator_ipv6_cidr
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  tags              = merge(var.tags, { Name = "${var.name}-ssh-from-home" })
}

resource "aws_vpc_security_group_ingress_rule" "netboot" {
  for_each          = var.netboot_ports
  security_group_id = aws_security_group.bastion.id
  description       = each.value.description
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = each.value.ip_protocol
  from_port         = each.value.port
  to_port           = each.value.port
  tags              = merge(var.tags, { Name = "${var.name}-bastion-${each.key}" })
}

# As the private subnet's NAT, the bastion receives what that subnet sends to the internet. A security
# group cannot tell a forwarded packet from one for the bastion itself, so port 22 is left out: the
# operator's address stays the only way to the bastion's SSH (the nodes cannot SSH out through it).
locals {
  nat_forwarded = {
    tcp-below-ssh = {
      ip_protocol = "tcp"
      from_port   = 0
      to_port     = 21
    }
    tcp-above-ssh = {
      ip_protocol = "tcp"
      from_port   = 23
      to_port     = 65535
    }
    udp = {
      ip_protocol = "udp"
      from_port   = 0
      to_port     = 65535
    }
    icmp = {
      ip_protocol = "icmp"
      from_port   = -1
      to_port     = -1
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "forward_from_private" {
  for_each          = var.nat ? local.nat_forwarded : {}
  security_group_id = aws_security_group.bastion.id
  description       = "What the private subnet sends out through the bastion (its NAT): ${each.key}"
  cidr_ipv4         = var.subnet_cidr
  ip_protocol       = each.value.ip_protocol
  from_port         = each.value.from_port
  to_port           = each.value.to_port
  tags              = merge(var.tags, { Name = "${var.name}-bastion-forward-${each.key}" })
}

# Echo requests from inside the VPC: a node or a test can tell the bastion is there.
resource "aws_vpc_security_group_ingress_rule" "ping_from_vpc" {
  security_group_id = aws_security_group.bastion.id
  description       = "ICMP echo from inside the VPC"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "icmp"
  from_port         = 8
  to_port           = 0
  tags              = merge(var.tags, { Name = "${var.name}-bastion-ping" })
}

resource "aws_vpc_security_group_egress_rule" "ipv4" {
  security_group_id = aws_security_group.bastion.id
  description       = "Out to anywhere over IPv4 (through the NAT): images, packages, the AWS API"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  tags              = merge(var.tags, { Name = "${var.name}-bastion-out-ipv4" })
}

resource "aws_vpc_security_group_egress_rule" "ipv6" {
  security_group_id = aws_security_group.bastion.id
  description       = "Out to anywhere over IPv6 (through the egress-only gateway)"
  cidr_ipv6         = "::/0"
  ip_protocol       = "-1"
  tags              = merge(var.tags, { Name = "${var.name}-bastion-out-ipv6" })
}

# The private subnet's IPv6 is egress-only, but replies to the operator must leave by the
# gateway they came in by: one /128 route, nothing wider.
resource "aws_route" "operator_return" {
  route_table_id              = var.route_table_id
  destination_ipv6_cidr_block = var.operator_ipv6_cidr
  gateway_id                  = var.internet_gateway_id
}

# IPv4 egress for the private subnet, by var.nat: a NAT instance, a NAT gateway, or none here
# (bastion: the bastion module routes the private subnet to the bastion's fixed interface).
# Copied by generator 01 from generators/01-network/nat.tf. Do not edit: edit the source, then run `npm run generate -- --test 1`.

# nat_gateway: managed and highly available, about $35/month before traffic (SPEC §3).
resource "aws_eip" "nat" {
  count  = var.nat == "nat_gateway" ? 1 : 0
  domain = "vpc"
  tags   = merge(var.tags, { Name = "${var.name}-nat" })
}

resource "aws_nat_gateway" "this" {
  count         = var.nat == "nat_gateway" ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public.id
  tags          = merge(var.tags, { Name = "${var.name}-nat" })
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route" "private_ipv4_nat_gateway" {
  count                  = var.nat == "nat_gateway" ? 1 : 0
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

# nat_instance: a Graviton instance that masquerades for the private subnet (the fck-nat pattern).
data "aws_ssm_parameter" "nat_ami" {
  count = var.nat == "nat_instance" ? 1 : 0
  name  = var.nat_instance_ami_parameter
}

resource "aws_security_group" "nat" {
  count       = var.nat == "nat_instance" ? 1 : 0
  name        = "${var.name}-nat"
  description = "NAT instance: forwards traffic from the private subnet only"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-nat" })
}

resource "aws_vpc_security_group_ingress_rule" "nat_from_private" {
  count             = var.nat == "nat_instance" ? 1 : 0
  security_group_id = aws_security_group.nat[0].id
  description       = "Everything the private subnet sends out"
  cidr_ipv4         = var.private_subnet_cidr
  ip_protocol       = "-1"
  tags              = merge(var.tags, { Name = "${var.name}-nat-from-private" })
}

resource "aws_vpc_security_group_egress_rule" "nat_to_internet" {
  count             = var.nat == "nat_instance" ? 1 : 0
  security_group_id = aws_security_group.nat[0].id
  description       = "Forwarded traffic to the IPv4 internet"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  tags              = merge(var.tags, { Name = "${var.name}-nat-to-internet" })
}

resource "aws_instance" "nat" {
  # checkov:skip=CKV_AWS_88:a NAT instance forwards to the internet from its own public address
  # checkov:skip=CKV_AWS_135:Graviton types are EBS-optimized by default; the flag changes nothing for them
  # checkov:skip=CKV_AWS_126:detailed monitoring is billed as CloudWatch metrics, about $2 a month an instance: many times the budget
  # checkov:skip=CKV2_AWS_41:The NAT instance calls no AWS API; a role would only hand credentials to whoever took it over
  count                  = var.nat == "nat_instance" ? 1 : 0
  ami                    = data.aws_ssm_parameter.nat_ami[0].insecure_value
  instance_type          = var.nat_instance_type
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.nat[0].id]
  # The only public IPv4 of the design: the NAT needs one to reach the internet.
  associate_public_ip_address = true
  # Off, or AWS drops every packet the instance forwards for others.
  source_dest_check           = false
  user_data                   = file("${path.module}/nat-instance.sh")
  user_data_replace_on_change = true
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = var.nat_instance_volume_size
  }
  # The cost model reads this tag to count the instance's hours.
  tags = merge(var.tags, { Name = "${var.name}-nat", Schedule = var.nat_schedule })
}

resource "aws_route" "private_ipv4_nat_instance" {
  count                  = var.nat == "nat_instance" ? 1 : 0
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  network_interface_id   = aws_instance.nat[0].primary_network_interface_id
}

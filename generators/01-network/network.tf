# The VPC, its two subnets, gateways and route tables.

resource "aws_vpc" "this" {
  # checkov:skip=CKV2_AWS_11:its flow log is in the guardrails module, where checkov does not follow the VPC; the audit checks it over the API
  # checkov:skip=CKV2_AWS_12:the guardrails module empties its default group, where checkov does not follow the VPC; the audit checks it over the API
  cidr_block                       = var.vpc_cidr
  assign_generated_ipv6_cidr_block = true
  enable_dns_support               = true
  enable_dns_hostnames             = true
  tags                             = merge(var.tags, { Name = "${var.name}-vpc" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-igw" })
}

# IPv6 egress costs nothing: an egress-only gateway lets the private subnet out, never in.
resource "aws_egress_only_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-eigw" })
}

# No address in the public subnet gets a public IPv4 by default: each one costs $0.005/hour.
resource "aws_subnet" "public" {
  vpc_id                          = aws_vpc.this.id
  availability_zone               = var.availability_zone
  cidr_block                      = var.public_subnet_cidr
  ipv6_cidr_block                 = cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, var.public_subnet_ipv6_index)
  map_public_ip_on_launch         = false
  assign_ipv6_address_on_creation = true
  tags                            = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_subnet" "private" {
  vpc_id                          = aws_vpc.this.id
  availability_zone               = var.availability_zone
  cidr_block                      = var.private_subnet_cidr
  ipv6_cidr_block                 = cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, var.private_subnet_ipv6_index)
  map_public_ip_on_launch         = false
  assign_ipv6_address_on_creation = true
  tags                            = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_ipv4" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route" "public_ipv6" {
  route_table_id              = aws_route_table.public.id
  destination_ipv6_cidr_block = "::/0"
  gateway_id                  = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

# The private subnet's IPv4 default route is added in nat.tf, by the NAT choice.
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route" "private_ipv6" {
  route_table_id              = aws_route_table.private.id
  destination_ipv6_cidr_block = "::/0"
  egress_only_gateway_id      = aws_egress_only_internet_gateway.this.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

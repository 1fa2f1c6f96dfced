# Outputs of the network module.
# Copied by generator 01 from generators/01-network/outputs.tf. Do not edit: edit the source, then run `npm run generate -- --test 1`.

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_ipv6_cidr" {
  description = "The VPC's Amazon-provided IPv6 block."
  value       = aws_vpc.this.ipv6_cidr_block
}

output "public_subnet_id" {
  description = "ID of the public subnet."
  value       = aws_subnet.public.id
}

output "private_subnet_id" {
  description = "ID of the private subnet."
  value       = aws_subnet.private.id
}

output "public_route_table_id" {
  description = "Route table of the public subnet."
  value       = aws_route_table.public.id
}

output "private_route_table_id" {
  description = "Route table of the private subnet."
  value       = aws_route_table.private.id
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "egress_only_gateway_id" {
  description = "ID of the egress-only internet gateway (IPv6)."
  value       = aws_egress_only_internet_gateway.this.id
}

output "nat_instance_id" {
  description = "ID of the NAT instance, or null."
  value       = one(aws_instance.nat[*].id)
}

output "nat_gateway_id" {
  description = "ID of the NAT gateway, or null."
  value       = one(aws_nat_gateway.this[*].id)
}

output "public_subnet_ipv6_cidr" {
  description = "The public subnet's IPv6 /64."
  value       = aws_subnet.public.ipv6_cidr_block
}

output "private_subnet_ipv6_cidr" {
  description = "The private subnet's IPv6 /64."
  value       = aws_subnet.private.ipv6_cidr_block
}

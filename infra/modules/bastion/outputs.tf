# Outputs of the bastion module.
# Copied by generator 02 from generators/02-bastion/outputs.tf. Do not edit: edit the source, then run `npm run generate -- --test 2`.

output "bastion_asg_name" {
  description = "The Auto Scaling group that keeps at most one bastion."
  value       = aws_autoscaling_group.bastion.name
}

output "bastion_interface_id" {
  description = "The persistent interface that carries the fixed address."
  value       = aws_network_interface.bastion.id
}

output "bastion_private_ip" {
  description = "The bastion's fixed IPv4 address."
  value       = aws_network_interface.bastion.private_ip
}

output "bastion_ipv6" {
  description = "The bastion's fixed IPv6 address: ssh to it from home."
  value       = one(aws_network_interface.bastion.ipv6_addresses)
}

output "bastion_security_group_id" {
  description = "The bastion's security group."
  value       = aws_security_group.bastion.id
}

output "bastion_launch_template_id" {
  description = "The launch template the group starts the bastion from."
  value       = aws_launch_template.bastion.id
}

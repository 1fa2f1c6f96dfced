# Outputs of the nodes module.

output "node_security_group_id" {
  description = "The nodes' security group."
  value       = aws_security_group.nodes.id
}

output "node_launch_template_ids" {
  description = "Launch template per Talos role."
  value       = { for role, lt in aws_launch_template.node : role => lt.id }
}

output "node_instance_ids" {
  description = "Running nodes by name (empty unless enabled)."
  value       = { for name, i in aws_instance.node : name => i.id }
}

output "node_private_ips" {
  description = "The nodes' fixed addresses by name (empty unless enabled)."
  value       = { for name, i in aws_instance.node : name => i.private_ip }
}

# Outputs of the guardrails module.
# Copied by generator 09 from generators/09-guardrails/outputs.tf. Do not edit: edit the source, then run `npm run generate -- --test 9`.

output "flow_log_id" {
  description = "The VPC's flow log."
  value       = aws_flow_log.vpc.id
}

output "flow_log_group" {
  description = "The CloudWatch Logs group the flow log writes to."
  value       = aws_cloudwatch_log_group.flow_log.name
}

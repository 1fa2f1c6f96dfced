# Outputs of the instance-schedule module.

output "schedule_names" {
  description = "The start and stop schedules' names, or none when disabled."
  value       = concat(aws_scheduler_schedule.start[*].name, aws_scheduler_schedule.stop[*].name)
}

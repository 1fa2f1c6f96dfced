# Outputs of the instance-schedule module.
# Copied by generator 01 from generators/instance-schedule/outputs.tf. Do not edit: edit the source, then run `npm run generate -- --test 1`.

output "schedule_names" {
  description = "The start and stop schedules' names, or none when disabled."
  value       = concat(aws_scheduler_schedule.start[*].name, aws_scheduler_schedule.stop[*].name)
}

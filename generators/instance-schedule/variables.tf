# Variables of the instance-schedule module.

variable "name" {
  type        = string
  description = "Prefix of the role's and the schedules' names: <name>-scheduler, <name>-start, <name>-stop. Example: \"moon-and-back-nodes\""
}

variable "enabled" {
  type        = bool
  description = "Whether the schedule exists: false makes nothing. Example: true"
}

variable "instance_ids" {
  type        = list(string)
  description = "The instances it starts and stops. Example: [\"i-0123456789abcdef0\"]"
}

variable "instance_arns" {
  type        = list(string)
  description = "Their ARNs: the only resources the role may start and stop. Example: [\"arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0\"]"
}

variable "schedule_start" {
  type        = string
  description = "Cron recurrence that starts them: the bastion's, as Auto Scaling reads it. Example: \"0 10 * * 6\""
  validation {
    condition     = can(regex("^\\S+ \\S+ [*] \\S+ ([*]|[0-7](-[0-7])?(,[0-7](-[0-7])?)*)$", var.schedule_start)) && try(alltrue([for r in regexall("([0-7])-([0-7])", element(split(" ", var.schedule_start), 4)) : tonumber(r[0]) <= tonumber(r[1])]), false)
    error_message = "Use the bastion's five cron fields with day-of-month * and the weekday as * or 0-7 (0 and 7 are Sunday) in ascending ranges and lists, as Auto Scaling reads them: this module names the weekdays for EventBridge Scheduler, which counts them from 1."
  }
}

variable "schedule_stop" {
  type        = string
  description = "Cron recurrence that stops them. Example: \"0 11 * * 6\""
  validation {
    condition     = can(regex("^\\S+ \\S+ [*] \\S+ ([*]|[0-7](-[0-7])?(,[0-7](-[0-7])?)*)$", var.schedule_stop)) && try(alltrue([for r in regexall("([0-7])-([0-7])", element(split(" ", var.schedule_stop), 4)) : tonumber(r[0]) <= tonumber(r[1])]), false)
    error_message = "Use the bastion's five cron fields with day-of-month * and the weekday as * or 0-7 (0 and 7 are Sunday) in ascending ranges and lists, as Auto Scaling reads them: this module names the weekdays for EventBridge Scheduler, which counts them from 1."
  }
}

variable "schedule_time_zone" {
  type        = string
  description = "IANA time zone of the recurrences. Example: \"Europe/Paris\""
}

variable "tags" {
  type        = map(string)
  description = "Tags for the role. Example: { Project = \"moon-and-back\" }"
  default     = {}
}

# Variables of the guardrails module.

variable "name" {
  type        = string
  description = "Prefix of every name. Example: \"moon-and-back\""
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource. Example: { Project = \"moon-and-back\" }"
}

variable "vpc_id" {
  type        = string
  description = "The VPC whose flows are logged. Example: \"vpc-0123456789abcdef0\""
}

variable "flow_log_traffic_type" {
  type        = string
  description = "Which flows are logged: all, the rejected only, or the accepted only. Example: \"ALL\""
  validation {
    condition     = contains({{ flow_log_traffic_types }}, var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be one of ${join(", ", {{ flow_log_traffic_types }})}."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days CloudWatch Logs keeps the flow log. Example: 14"
  validation {
    condition     = contains({{ log_retention_days }}, var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a period CloudWatch Logs offers, e.g. 14 or 30."
  }
}

# Variables of the guardrails module.
# Rendered by generator 09 from generators/09-guardrails/variables.tf and the model's choices (model/sections/guardrails.ts). Do not edit: edit the source, then run `npm run generate -- --test 9`.

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
    condition     = contains(["ALL", "REJECT", "ACCEPT"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be one of ${join(", ", ["ALL", "REJECT", "ACCEPT"])}."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days CloudWatch Logs keeps the flow log. Example: 14"
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a period CloudWatch Logs offers, e.g. 14 or 30."
  }
}

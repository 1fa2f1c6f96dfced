# Variables of the budget module.
# Copied by generator 08 from generators/08-budget/variables.tf. Do not edit: edit the source, then run `npm run generate -- --test 8`.

variable "name" {
  type        = string
  description = "Prefix of the budget's name. Example: \"moon-and-back\""
}

variable "tags" {
  type        = map(string)
  description = "Tags for the budget. Example: { Project = \"moon-and-back\" }"
}

variable "monthly_limit_usd" {
  type        = number
  description = "The always-on baseline's target in USD a month: the alert fires above it. Example: 0.1"
  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "monthly_limit_usd must be a positive amount in USD, e.g. 0.1."
  }
}

variable "alert_email" {
  type        = string
  description = "Where AWS Budgets mails the alert (it asks the address to confirm first). Example: \"you@example.org\""
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an email address, e.g. you@example.org."
  }
}

# The month's cost budget and its alerts.
# Copied by generator 08 from generators/08-budget/budget.tf. Do not edit: edit the source, then run `npm run generate -- --test 8`.

# A monitoring budget is free (only action-enabled budgets past two are charged). It
# watches the whole account, so a resource made outside this kit counts too.
resource "aws_budgets_budget" "baseline" {
  name         = "${var.name}-baseline"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"
  # What the kit's bill measures (cost/): spend before credits and refunds. Counting credits
  # would show an account on credits $0 while it spends, and no alert would fire.
  cost_types {
    include_credit = false
    include_refund = false
  }
  # Spend already past the target, and a month on course to pass it.
  notification {
    notification_type          = "ACTUAL"
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    subscriber_email_addresses = [var.alert_email]
  }
  notification {
    notification_type          = "FORECASTED"
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    subscriber_email_addresses = [var.alert_email]
  }
  tags = merge(var.tags, { Name = "${var.name}-baseline" })
}

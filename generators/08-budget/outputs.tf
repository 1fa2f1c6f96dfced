# Outputs of the budget module.

output "budget_name" {
  description = "The cost budget's name (`aws budgets describe-budget --budget-name …`)."
  value       = aws_budgets_budget.baseline.name
}

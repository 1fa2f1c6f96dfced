# Outputs of the budget module.
# Copied by generator 08 from generators/08-budget/outputs.tf. Do not edit: edit the source, then run `npm run generate -- --test 8`.

output "budget_name" {
  description = "The cost budget's name (`aws budgets describe-budget --budget-name …`)."
  value       = aws_budgets_budget.baseline.name
}

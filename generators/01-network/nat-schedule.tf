# The NAT instance keeps the bastion's hours when var.nat_schedule is bastion: EventBridge Scheduler
# starts and stops it (../instance-schedule).

module "nat_schedule" {
  source             = "../instance-schedule"
  name               = "${var.name}-nat"
  enabled            = var.nat == "nat_instance" && var.nat_schedule == "bastion"
  instance_ids       = aws_instance.nat[*].id
  instance_arns      = aws_instance.nat[*].arn
  schedule_start     = var.schedule_start
  schedule_stop      = var.schedule_stop
  schedule_time_zone = var.schedule_time_zone
  tags               = var.tags
}

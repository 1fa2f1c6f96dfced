# The nodes keep the bastion's hours: EventBridge Scheduler starts and stops them, plain instances
# and not a group (../instance-schedule).

module "schedule" {
  source             = "../instance-schedule"
  name               = "${var.name}-nodes"
  enabled            = var.enabled
  instance_ids       = values(aws_instance.node)[*].id
  instance_arns      = [for i in values(aws_instance.node) : i.arn]
  schedule_start     = var.schedule_start
  schedule_stop      = var.schedule_stop
  schedule_time_zone = var.schedule_time_zone
  tags               = var.tags
}

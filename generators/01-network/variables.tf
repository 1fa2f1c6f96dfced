# Variables of the network module.

variable "name" {
  type        = string
  description = "Prefix of every Name tag. Example: \"moon-and-back\""
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 range of the VPC. Example: \"10.0.0.0/16\""
  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR such as 10.0.0.0/16."
  }
}

variable "public_subnet_cidr" {
  type        = string
  description = "IPv4 range of the public subnet (the NAT and the internet gateway's side), inside vpc_cidr. Example: \"10.0.1.0/24\""
  validation {
    condition     = can(cidrnetmask(var.public_subnet_cidr))
    error_message = "public_subnet_cidr must be an IPv4 CIDR such as 10.0.1.0/24."
  }
}

variable "private_subnet_cidr" {
  type        = string
  description = "IPv4 range of the private subnet (bastion and nodes), inside vpc_cidr. Example: \"10.0.13.0/24\""
  validation {
    condition     = can(cidrnetmask(var.private_subnet_cidr))
    error_message = "private_subnet_cidr must be an IPv4 CIDR such as 10.0.13.0/24."
  }
}

variable "public_subnet_ipv6_index" {
  type        = number
  description = "Which /64 of the VPC's Amazon-provided /56 the public subnet gets. Example: 1"
  validation {
    condition     = var.public_subnet_ipv6_index >= 0 && var.public_subnet_ipv6_index < 256
    error_message = "The index must be 0-255."
  }
}

variable "private_subnet_ipv6_index" {
  type        = number
  description = "Which /64 of the VPC's Amazon-provided /56 the private subnet gets. Example: 13"
  validation {
    condition     = var.private_subnet_ipv6_index >= 0 && var.private_subnet_ipv6_index < 256
    error_message = "The index must be 0-255."
  }
}

variable "availability_zone" {
  type        = string
  description = "The one zone both subnets live in. Example: \"eu-west-1a\""
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", var.availability_zone))
    error_message = "availability_zone must be a zone name such as eu-west-1a."
  }
}

variable "nat" {
  type        = string
  description = "How the private subnet reaches the IPv4 internet: bastion (the bastion masquerades for it; the bastion module adds the route), nat_instance (a Graviton instance of its own), nat_gateway (managed, about $35/month before traffic), or none (IPv6 egress only). Example: \"bastion\""
  validation {
    condition     = contains({{ nat_choices }}, var.nat)
    error_message = "nat must be one of ${join(", ", {{ nat_choices }})}."
  }
}

variable "nat_instance_type" {
  type        = string
  description = "Instance type of the NAT instance; ARM64 (Graviton) only. Example: \"t4g.micro\""
  validation {
    condition     = can(regex("^(a1|[a-z]+[0-9]+g[a-z]*)\\.[a-z0-9]+$", var.nat_instance_type))
    error_message = "nat_instance_type must be a Graviton (ARM64) type such as t4g.nano."
  }
}

variable "nat_instance_volume_size" {
  type        = number
  description = "Root volume of the NAT instance in GiB (gp3, encrypted). Example: 8"
  validation {
    condition     = var.nat_instance_volume_size >= 8 && var.nat_instance_volume_size <= 64
    error_message = "nat_instance_volume_size must be 8-64 GiB."
  }
}

variable "nat_instance_ami_parameter" {
  type        = string
  description = "Public SSM parameter that names the NAT instance's AMI. Example: \"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64\""
  validation {
    condition     = startswith(var.nat_instance_ami_parameter, "/aws/service/")
    error_message = "nat_instance_ami_parameter must be an AWS public parameter under /aws/service/."
  }
}

variable "nat_schedule" {
  type        = string
  description = "When the NAT instance runs: bastion (EventBridge Scheduler starts and stops it on the bastion's hours) or always. Example: \"bastion\""
  validation {
    condition     = contains({{ nat_schedules }}, var.nat_schedule)
    error_message = "nat_schedule must be one of ${join(", ", {{ nat_schedules }})}."
  }
}

variable "schedule_start" {
  type        = string
  description = "Cron recurrence that starts the NAT instance (the bastion's). Example: \"0 10 * * 6\""
}

variable "schedule_stop" {
  type        = string
  description = "Cron recurrence that stops them. Example: \"0 11 * * 6\""
}

variable "schedule_time_zone" {
  type        = string
  description = "IANA time zone of the recurrences. Example: \"Europe/Paris\""
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource. Example: { Project = \"moon-and-back\" }"
  default     = {}
}

# Variables of the nodes module.

variable "name" {
  type        = string
  description = "Prefix of every Name tag but the nodes' own. Example: \"moon-and-back\""
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource. Example: { Project = \"moon-and-back\" }"
}

variable "vpc_id" {
  type        = string
  description = "The VPC. Example: \"vpc-0123456789abcdef0\""
}

variable "subnet_id" {
  type        = string
  description = "The private subnet the nodes live in (no public IP, no route in). Example: \"subnet-0123456789abcdef0\""
}

variable "bastion_security_group_id" {
  type        = string
  description = "The bastion's group: it reaches the nodes' Talos and Kubernetes APIs. Example: \"sg-0123456789abcdef0\""
}

variable "enabled" {
  type        = bool
  description = "Whether the nodes run: an experiment session sets it to true, the always-on baseline keeps it false. Example: true"
  default     = false
}

variable "machines" {
  type        = map(object({ ip = string, role = string }))
  description = "The nodes by name (talos-node-N): each one's fixed private address and Talos role. Example: { \"talos-node-1\" = { ip = \"10.0.13.11\", role = \"controlplane\" } }"
  validation {
    condition     = alltrue([for m in values(var.machines) : contains({{ node_roles }}, m.role)])
    error_message = "Each machine's role must be one of ${join(", ", {{ node_roles }})}."
  }
}

variable "instance_type" {
  type        = string
  description = "Graviton type of the nodes; CozyStack needs 4 cores and 16 GB. Example: \"m7g.xlarge\""
  validation {
    condition     = can(regex("^(a1|[a-z]+[0-9]+g[a-z]*)\\.[a-z0-9]+$", var.instance_type))
    error_message = "The nodes are ARM64: use a Graviton instance type such as m7g.xlarge."
  }
}

variable "system_volume_gb" {
  type        = number
  description = "System disk (Talos installs here). Example: 32"
}

variable "data_volume_gb" {
  type        = number
  description = "Data disk (CozyStack's storage). Example: 100"
}

variable "boot" {
  type        = string
  description = "ipxe: the official iPXE AMI runs a user-data script that chains to matchbox; ami: the official Talos AMI boots into maintenance mode and is configured from the bastion. Example: \"ipxe\""
  validation {
    condition     = contains({{ node_boots }}, var.boot)
    error_message = "boot must be one of ${join(", ", {{ node_boots }})}."
  }
}

variable "public_ipv4" {
  type        = bool
  description = "An Elastic IP on each node ($0.005 an hour each, and the node in reach of every scanner); false keeps them behind the NAT, and spec 09 fails on true. Example: false"
}

variable "matchbox_url" {
  type        = string
  description = "matchbox on the bastion, as the nodes reach it. Example: \"http://10.0.13.140:8080\""
}

variable "talos_version" {
  type        = string
  description = "The Talos release of the AMI (boot = ami). Example: \"1.13.6\""
}

variable "talos_api_port" {
  type        = number
  description = "Talos's API on every node. Example: 50000"
}

variable "kubernetes_api_port" {
  type        = number
  description = "The Kubernetes API on control-plane nodes. Example: 6443"
}

variable "schedule_start" {
  type        = string
  description = "Cron recurrence that starts the nodes (the bastion's). Example: \"0 10 * * 6\""
}

variable "schedule_stop" {
  type        = string
  description = "Cron recurrence that stops them. Example: \"0 11 * * 6\""
}

variable "schedule_time_zone" {
  type        = string
  description = "IANA time zone of the recurrences. Example: \"Europe/Paris\""
}

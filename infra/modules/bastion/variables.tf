# Variables of the bastion module.
# Copied by generator 02 from generators/02-bastion/variables.tf. Do not edit: edit the source, then run `npm run generate -- --test 2`.

variable "name" {
  type        = string
  description = "Prefix of every Name tag. Example: \"moon-and-back\""
}

variable "vpc_id" {
  type        = string
  description = "The VPC. Example: \"vpc-0123456789abcdef0\""
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 range of the VPC: the netboot services answer it. Example: \"10.0.0.0/16\""
}

variable "subnet_id" {
  type        = string
  description = "The private subnet the bastion's fixed interface lives in (and its instance, unless nat). Example: \"subnet-0123456789abcdef0\""
}

variable "nat" {
  type        = bool
  description = "Whether the bastion is also the private subnet's NAT (network.nat = bastion): its instance then starts in the public subnet with a public IPv4 for as long as it runs, masquerades for the private subnet, and the private subnet's IPv4 default route leads to its fixed interface. Example: true"
}

variable "public_subnet_id" {
  type        = string
  description = "The public subnet the bastion's instance starts in when nat is true. Example: \"subnet-0fedcba9876543210\""
}

variable "subnet_cidr" {
  type        = string
  description = "IPv4 range of that subnet. Example: \"10.0.13.0/24\""
}

variable "subnet_ipv6_cidr" {
  type        = string
  description = "IPv6 /64 of that subnet; the interface's IPv6 has the same host number as its IPv4. Example: \"2001:db8:0:d::/64\""
}

variable "route_table_id" {
  type        = string
  description = "Route table of that subnet: it gets a route to the operator's /128 through the gateway. Example: \"rtb-0123456789abcdef0\""
}

variable "internet_gateway_id" {
  type        = string
  description = "The VPC's internet gateway, for the operator's return path. Example: \"igw-0123456789abcdef0\""
}

variable "private_ip" {
  type        = string
  description = "The bastion's fixed IPv4 address, inside the subnet. Example: \"10.0.13.140\""
  validation {
    condition     = can(cidrnetmask("${var.private_ip}/32"))
    error_message = "private_ip must be an IPv4 address such as 10.0.13.140."
  }
}

variable "instance_name" {
  type        = string
  description = "Name tag of the bastion instance. Example: \"tf-bastion\""
}

variable "asg_name" {
  type        = string
  description = "Name of the Auto Scaling group (at most one instance). Example: \"tf-asg\""
}

variable "instance_type" {
  type        = string
  description = "Instance type; ARM64 (Graviton) only. Example: \"t4g.micro\""
  validation {
    condition     = can(regex("^(a1|[a-z]+[0-9]+g[a-z]*)\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be a Graviton (ARM64) type such as t4g.small."
  }
}

variable "root_volume_size" {
  type        = number
  description = "Root volume in GiB (gp3, encrypted); the registry caches live on it. Example: 8"
  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 256
    error_message = "root_volume_size must be 8-256 GiB."
  }
}

variable "ami_parameter" {
  type        = string
  description = "Public SSM parameter that names the bastion's AMI (arm64). Example: \"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64\""
  validation {
    condition     = startswith(var.ami_parameter, "/aws/service/")
    error_message = "ami_parameter must be an AWS public parameter under /aws/service/."
  }
}

variable "operator_ipv6_cidr" {
  type        = string
  description = "The operator's home IPv6 address as a /128: the only source SSH is allowed from. Example: \"2001:db8:ab::10/128\""
  validation {
    condition     = can(cidrhost(var.operator_ipv6_cidr, 0)) && strcontains(var.operator_ipv6_cidr, ":") && endswith(var.operator_ipv6_cidr, "/128")
    error_message = "operator_ipv6_cidr must be one IPv6 address as a /128, never a range."
  }
}

variable "ssh_public_key" {
  type        = string
  description = "The operator's OpenSSH public key (one line); the bastion accepts only it. Example: \"ssh-ed25519 AAAAC3Nza… you@home\""
  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh.com) [A-Za-z0-9+/]+={0,2}( .*)?$", trimspace(var.ssh_public_key)))
    error_message = "ssh_public_key must be one line of a .pub file, such as the content of ~/.ssh/id_ed25519.pub."
  }
}

variable "schedule_start" {
  type        = string
  description = "Cron recurrence that starts the bastion, read in schedule_time_zone. Example: \"0 10 * * 6\""
}

variable "schedule_stop" {
  type        = string
  description = "Cron recurrence that stops it. Example: \"0 11 * * 6\""
}

variable "schedule_time_zone" {
  type        = string
  description = "IANA time zone of the recurrences. Example: \"Europe/Paris\""
}

variable "netboot_ports" {
  type        = map(object({ ip_protocol = string, port = number, description = string }))
  description = "What the netboot services listen on; each is open to the VPC only. Example: { matchbox = { ip_protocol = \"tcp\", port = 8080, description = \"matchbox\" } }"
}

variable "talos_config_parameter_path" {
  type        = string
  description = "SSM path of the nodes' machine configs (SecureString parameters); the bastion may read its configs/ subtree and nothing else. Example: \"/moon-and-back/talos\""
  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+$", var.talos_config_parameter_path))
    error_message = "talos_config_parameter_path must be an SSM path such as \"/moon-and-back/talos\", without a trailing \"/\"."
  }
}

variable "registry_credentials_parameter_path" {
  type        = string
  description = "SSM path of the caches' upstream credentials (SecureString <path>/<upstream>/username and /password, optional); the bastion may read this subtree. Example: \"/moon-and-back/registry\""
  validation {
    condition     = can(regex("^(/[A-Za-z0-9_.-]+)+$", var.registry_credentials_parameter_path))
    error_message = "registry_credentials_parameter_path must be an SSM path such as \"/moon-and-back/registry\", without a trailing \"/\"."
  }
}

variable "budget_name" {
  type        = string
  description = "The AWS Budgets cost budget the bastion checks at boot and every 15 minutes: once the month's actual spend reaches it, the bastion scales its own group to zero and suspends the schedule (the hard cap). Example: \"moon-and-back-baseline\""
}

variable "netboot_dir" {
  type        = string
  description = "Folder of the netboot services' bundle (generator 03); cloud-init writes it to the bastion from the user data. Example: \"$${path.root}/netboot\""
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource. Example: { Project = \"moon-and-back\" }"
}

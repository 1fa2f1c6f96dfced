# The nodes' security group (SPEC §3): the bastion reaches Talos and Kubernetes, nodes reach each other, nothing else comes in.
# Copied by generator 04 from generators/04-talos/security.tf. Do not edit: edit the source, then run `npm run generate -- --test 4`.

resource "aws_security_group" "nodes" {
  name        = "${var.name}-nodes"
  description = "Talos nodes: the bastion's APIs in, all traffic between nodes, no ingress from outside the VPC"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-nodes" })
}

resource "aws_vpc_security_group_ingress_rule" "talos_api_from_bastion" {
  security_group_id            = aws_security_group.nodes.id
  description                  = "Talos API (talosctl) from the bastion"
  referenced_security_group_id = var.bastion_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.talos_api_port
  to_port                      = var.talos_api_port
  tags                         = merge(var.tags, { Name = "${var.name}-nodes-talos-api" })
}

resource "aws_vpc_security_group_ingress_rule" "kubernetes_api_from_bastion" {
  security_group_id            = aws_security_group.nodes.id
  description                  = "Kubernetes API from the bastion"
  referenced_security_group_id = var.bastion_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.kubernetes_api_port
  to_port                      = var.kubernetes_api_port
  tags                         = merge(var.tags, { Name = "${var.name}-nodes-kubernetes-api" })
}

# Kube-OVN's tunnels, etcd, kubelets and the storage replication all run between the nodes.
resource "aws_vpc_security_group_ingress_rule" "between_nodes" {
  security_group_id            = aws_security_group.nodes.id
  description                  = "All traffic between nodes"
  referenced_security_group_id = aws_security_group.nodes.id
  ip_protocol                  = "-1"
  tags                         = merge(var.tags, { Name = "${var.name}-nodes-between" })
}

resource "aws_vpc_security_group_egress_rule" "ipv4" {
  security_group_id = aws_security_group.nodes.id
  description       = "Out over IPv4 through the NAT (the caches are on the bastion; the rest, e.g. Image Factory, through the NAT)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  tags              = merge(var.tags, { Name = "${var.name}-nodes-out-ipv4" })
}

resource "aws_vpc_security_group_egress_rule" "ipv6" {
  security_group_id = aws_security_group.nodes.id
  description       = "Out over IPv6 through the egress-only gateway"
  cidr_ipv6         = "::/0"
  ip_protocol       = "-1"
  tags              = merge(var.tags, { Name = "${var.name}-nodes-out-ipv6" })
}

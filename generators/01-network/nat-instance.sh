#cloud-boothook
# shellcheck shell=bash
# NAT instance boot script: masquerade what the private subnet sends to the internet.
# A boothook runs at every boot, so the settings survive a stop and start.
set -euo pipefail

# The instance forwards for the private subnet; its source/destination check is off.
sysctl -q -w net.ipv4.ip_forward=1

# nftables may be missing from a minimal image.
command -v nft >/dev/null || dnf install -y nftables

# Masquerade everything that leaves by the default route's interface.
uplink=$(ip -o -4 route show default | awk '{ print $5; exit }')
test -n "$uplink" || { echo "nat-instance: no default route" >&2; exit 1; }
nft delete table ip nat_instance 2>/dev/null || true
nft add table ip nat_instance
nft add chain ip nat_instance postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'
nft add rule ip nat_instance postrouting oifname "$uplink" masquerade

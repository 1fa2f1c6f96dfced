#!/bin/bash
# Bastion boot script (user data): attach the fixed interface, configure it, install the
# container runtime, start the netboot services.
set -euo pipefail

# Settings a test or the lab may override; on EC2 the defaults apply.
: "${IMDS:=http://169.254.169.254}"
: "${MOON_CONTAINER_RUNTIME:=docker}"
: "${MOON_NETBOOT_START:={{ bundle_dir }}/start}"
: "${MOON_DEVICE_WAIT_SECONDS:=60}"
: "${MOON_DATA_DIR:=/var/lib/moon-and-back}"
: "${MOON_BUDGET_GUARD_SECONDS:=900}"
: "${MOON_EGRESS_WAIT_SECONDS:=300}"
log() { echo "bastion-boot: $*" >&2; }
# Retries a call that can meet a transient state (an interface still detaching).
retry() { local n=1; until "$@"; do [ "$n" -ge 5 ] && return 1; sleep $((n * 3)); n=$((n + 1)); done; }

# A bastion without its fixed address is useless: on any failure, ask the group to
# replace this instance rather than leave it running half-configured.
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -n "${instance_id:-}" ]; then
    log "failed (exit $rc): marking $instance_id unhealthy so the group replaces it"
    aws autoscaling set-instance-health --instance-id "$instance_id" --health-status Unhealthy || true
  fi
}
trap on_exit EXIT

# IMDSv2: every metadata read carries a session token (the launch template requires it).
token=$(curl -sSf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$IMDS/latest/api/token")
imds() { curl -sSf -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/$1"; }
instance_id=$(imds instance-id)
AWS_DEFAULT_REGION=$(imds placement/region)
export AWS_DEFAULT_REGION
log "instance $instance_id in $AWS_DEFAULT_REGION"

# The API is reached through the NAT, which (a NAT instance on the same schedule) may
# still be starting: wait for any HTTP answer from the regional endpoint, bounded, before
# the first call. Where it never comes, the log says so and the boot fails.
api="${AWS_ENDPOINT_URL:-https://ec2.$AWS_DEFAULT_REGION.amazonaws.com}"
waited=0
until curl -s -o /dev/null --max-time 5 "$api"; do
  [ "$waited" -eq 0 ] && log "waiting for a route to $api (the NAT may still be starting)"
  [ "$waited" -ge "$MOON_EGRESS_WAIT_SECONDS" ] && { log "no answer from $api after $waited s: no egress, giving up"; exit 1; }
  sleep 5
  waited=$((waited + 5))
done
[ "$waited" -eq 0 ] || log "egress up: $api answered after about $waited s"

# The fixed interface is the one tagged for this instance's Auto Scaling group, in its zone.
# Its subnet may differ from the instance's (the bastion as NAT starts in the public one).
self=$(aws ec2 describe-instances --instance-ids "$instance_id" --output text --query "Reservations[0].Instances[0].[SubnetId, Placement.AvailabilityZone, Tags[?Key=='aws:autoscaling:groupName'] | [0].Value, Tags[?Key=='{{ budget_tag }}'] | [0].Value]")
read -r own_subnet zone group budget <<<"$self"
eni=$(aws ec2 describe-network-interfaces --filters "Name=tag:{{ eni_tag }},Values=$group" "Name=availability-zone,Values=$zone" --output text --query "NetworkInterfaces[0].[NetworkInterfaceId, Attachment.AttachmentId, Attachment.InstanceId, MacAddress, PrivateIpAddress, Ipv6Addresses[0].Ipv6Address, SubnetId, SourceDestCheck]")
read -r eni_id attachment_id owner mac private_ip ipv6 subnet_id source_dest_check <<<"$eni"
test "${eni_id:-None}" != None || { log "no interface tagged {{ eni_tag }}=$group in $zone"; exit 1; }

# The hard cap (docs/decisions.md): once the month's actual spend, as AWS Budgets computes
# it (a few times a day), has reached the budget, this group scales to zero and its
# schedule stays suspended until the operator resumes it. Checked now, before anything
# starts, then every MOON_BUDGET_GUARD_SECONDS.
budget_guard() {
  local spend limit
  read -r spend limit < <(aws budgets describe-budget --account-id "$account_id" --budget-name "$budget" --output text --query "Budget.[CalculatedSpend.ActualSpend.Amount, BudgetLimit.Amount]") || {
    log "budget guard: cannot read the budget $budget: the cap is not enforced this time"
    return 0
  }
  awk -v s="$spend" -v l="$limit" 'BEGIN { exit !(s + 0 >= l + 0) }' || return 0
  log "budget guard: the month's actual spend, $spend USD, has reached the budget of $limit USD: scaling $group to zero, its schedule suspended (resume: aws autoscaling resume-processes --auto-scaling-group-name $group)"
  # Suspend first: scaling to zero terminates this instance, which may not live to make a
  # second call. Should the scale then fail, the schedule is resumed so its stop still comes.
  retry aws autoscaling suspend-processes --auto-scaling-group-name "$group" --scaling-processes ScheduledActions ||
    log "budget guard: FAILED to suspend $group's schedule: each scheduled start will be stopped again at boot"
  retry aws autoscaling set-desired-capacity --auto-scaling-group-name "$group" --desired-capacity 0 || {
    # A stop that falls while the schedule is suspended is skipped for good (Auto Scaling runs
    # only actions still to come on resume), so the next check tries the scale again.
    if retry aws autoscaling resume-processes --auto-scaling-group-name "$group" --scaling-processes ScheduledActions; then
      log "budget guard: FAILED to scale $group to zero; its schedule resumed, it runs until its scheduled stop"
    else
      log "budget guard: FAILED to scale $group to zero and to resume its schedule: it runs until the next check scales it, in ${MOON_BUDGET_GUARD_SECONDS}s"
    fi
    return 0
  }
  return 1
}
if [ "${budget:-None}" != None ]; then
  account_id=$(aws sts get-caller-identity --output text --query Account)
  budget_guard || { log "over budget: not starting"; exit 0; }
fi

# A replacement finds the interface still attached to the instance it replaces (a dead
# instance keeps it): detach it by force, then attach it here as device 1.
if [ "$owner" != "$instance_id" ]; then
  if [ "$attachment_id" != None ]; then
    log "detaching $eni_id from $owner"
    retry aws ec2 detach-network-interface --attachment-id "$attachment_id" --force
    retry aws ec2 wait network-interface-available --network-interface-ids "$eni_id"
  fi
  log "attaching $eni_id to $instance_id as device 1"
  retry aws ec2 attach-network-interface --network-interface-id "$eni_id" --instance-id "$instance_id" --device-index 1 >/dev/null
fi

# The interface appears as a new device; find it by its MAC address.
dev=""
for _ in $(seq "$MOON_DEVICE_WAIT_SECONDS"); do
  dev=$(ip -o link | awk -v mac="$mac" 'tolower($0) ~ mac { sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2; exit }')
  [ -n "$dev" ] && break
  sleep 1
done
test -n "$dev" || { log "no device with MAC $mac after ${MOON_DEVICE_WAIT_SECONDS}s"; exit 1; }
log "$eni_id appeared as $dev"

# Configure it the same way on any distribution. Replies from the fixed address leave by
# its own interface: AWS drops a packet whose source is not its interface's.
cidrs=$(aws ec2 describe-subnets --subnet-ids "$subnet_id" --output text --query "Subnets[0].[CidrBlock, Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock]")
read -r cidr cidr6 <<<"$cidrs"
log "subnet $subnet_id: $cidr $cidr6"
IFS=./ read -r o1 o2 o3 o4 prefix <<<"$cidr"
n=$(((o1 << 24 | o2 << 16 | o3 << 8 | o4) + 1))
gateway="$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
ip link set "$dev" up
ip addr replace "$private_ip/$prefix" dev "$dev"
ip route replace "$cidr" dev "$dev" src "$private_ip" table 1001
ip route replace default via "$gateway" dev "$dev" table 1001
ip rule del from "$private_ip" lookup 1001 2>/dev/null || true
ip rule add from "$private_ip" lookup 1001 priority 1001
# Started in another subnet: reach the fixed address's own subnet directly from it.
if [ "$own_subnet" != "$subnet_id" ]; then ip route replace "$cidr" dev "$dev" src "$private_ip"; fi
if [ "$ipv6" != None ]; then
  ip -6 addr replace "$ipv6/${cidr6#*/}" dev "$dev" nodad
  # The subnet router's link-local address comes with its router advertisements.
  gateway6=""
  for _ in $(seq "$MOON_DEVICE_WAIT_SECONDS"); do
    gateway6=$(ip -6 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "via") { print $(i + 1); exit } }')
    [ -n "$gateway6" ] && break
    sleep 1
  done
  test -n "$gateway6" || { log "no IPv6 router after ${MOON_DEVICE_WAIT_SECONDS}s: SSH over IPv6 cannot answer"; exit 1; }
  ip -6 route replace default via "$gateway6" dev "$dev" table 1001
  ip -6 rule del from "$ipv6" lookup 1001 2>/dev/null || true
  ip -6 rule add from "$ipv6" lookup 1001 priority 1001
fi
log "$eni_id is up on $dev: $private_ip $ipv6"

# The bastion as the private subnet's NAT: its fixed interface's source/destination check
# is off (the module turns it off only then), so forward and masquerade what the subnet
# sends out by the instance's own first interface and its public address.
if [ "$source_dest_check" = False ]; then
  sysctl -q -w net.ipv4.ip_forward=1
  command -v nft >/dev/null || dnf install -y nftables
  uplink=$(ip -o -4 route show default | awk '{ print $5; exit }')
  test -n "$uplink" || { log "no default route: cannot be the NAT"; exit 1; }
  nft delete table ip bastion_nat 2>/dev/null || true
  nft add table ip bastion_nat
  nft add chain ip bastion_nat postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'
  nft add rule ip bastion_nat postrouting ip saddr "$cidr" oifname "$uplink" masquerade
  log "NAT for $cidr out by $uplink"
fi

# The container runtime the netboot services run in.
case "$MOON_CONTAINER_RUNTIME" in
  docker)
    if ! command -v docker >/dev/null; then
      if command -v dnf >/dev/null; then dnf install -y docker; else apt-get update && apt-get install -y docker.io; fi
    fi
    systemctl enable --now docker
    ;;
  native) log "services run as native processes on this image (the lab bastion)" ;;
  *) log "MOON_CONTAINER_RUNTIME=$MOON_CONTAINER_RUNTIME: use docker or native" && exit 1 ;;
esac

# The netboot services (layer 03) install a start command here; it runs once the address is up.
if [ -x "$MOON_NETBOOT_START" ]; then
  log "starting the netboot services: $MOON_NETBOOT_START"
  "$MOON_NETBOOT_START"
else
  log "no netboot services at $MOON_NETBOOT_START yet: nothing to start"
fi
log "ready: $private_ip on $dev"
# User data runs once per instance: the same script at every boot (cloud-init's per-boot
# scripts) brings back the routes, the NAT and the guard after a reboot.
per_boot=/var/lib/cloud/scripts/per-boot/moon-and-back-bastion.sh
if [ "$MOON_CONTAINER_RUNTIME" = docker ] && [ -d "${per_boot%/*}" ] && [ "$0" != "$per_boot" ]; then
  install -m 0755 "$0" "$per_boot"
fi
# MOON_BUDGET_GUARD_SECONDS=0 leaves only the check at boot (the unit specs' stand-ins).
if [ "${budget:-None}" != None ] && [ "$MOON_BUDGET_GUARD_SECONDS" -gt 0 ]; then
  mkdir -p "$MOON_DATA_DIR"
  (while sleep "$MOON_BUDGET_GUARD_SECONDS"; do budget_guard || break; done) >>"$MOON_DATA_DIR/budget-guard.log" 2>&1 </dev/null &
  log "budget guard: every ${MOON_BUDGET_GUARD_SECONDS}s against $budget"
fi

#!/bin/bash
# Starts the bastion's netboot services in order: the DNS filter, the registry caches,
# matchbox, then DHCP/TFTP. Run by the boot script once the fixed address is up.
set -euo pipefail

# The model's values this script reads, each quoted for the shell once, by generator 03.
{{ settings }}

# This bundle sits beside the script; the services' data lives on the data volume.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MOON_CONTAINER_RUNTIME:=docker}"
: "${MOON_DATA_DIR:=$data_dir}"
log() { echo "netboot: $*" >&2; }
for dir in "${data_dirs[@]}"; do mkdir -p "$MOON_DATA_DIR/$dir"; done
# matchbox reads profiles and groups from the bundle, configs from the data volume.
for kind in profiles groups; do ln -sfn "$here/matchbox/$kind" "$MOON_DATA_DIR/matchbox/$kind"; done

# Talos's kernels and initramfs for matchbox to serve, fetched once: from Talos's release, or
# from a folder (the offline lab's stand-in payload, with a PAYLOAD.json saying what it is).
: "${MOON_TALOS_ASSETS:=https://github.com/siderolabs/talos/releases/download/v$talos_version}"
assets="$MOON_DATA_DIR/matchbox/assets/talos/$talos_version"
mkdir -p "$assets"
for file in vmlinuz-amd64 initramfs-amd64.xz vmlinuz-arm64 initramfs-arm64.xz PAYLOAD.json; do
  [ -s "$assets/$file" ] && continue
  if [ -d "$MOON_TALOS_ASSETS" ]; then
    if [ -f "$MOON_TALOS_ASSETS/$file" ]; then cp "$MOON_TALOS_ASSETS/$file" "$assets/$file"; else log "no $file in $MOON_TALOS_ASSETS"; fi
  elif [ "$file" != PAYLOAD.json ]; then
    if curl -fsSL --retry 3 -o "$assets/$file.part" "$MOON_TALOS_ASSETS/$file"; then mv "$assets/$file.part" "$assets/$file"; else log "could not fetch $file"; fi
  fi
done

# GRUB (the arm64 loader) opens each boot's HTTP connections from the same ports with the same
# sequence numbers, and leaves without acknowledging the server's last FIN. A socket left in
# TIME_WAIT or LAST_ACK by an earlier boot then refuses the next one ("connection timeout"):
# where GRUB is served, this host keeps no TIME_WAIT and gives up on an orphan's FIN at once.
if [ -s "$MOON_DATA_DIR/tftp/$arm64_loader" ] || [ -s "${MOON_TFTP_LOADERS:-/nonexistent}/$arm64_loader" ]; then
  for setting in net.ipv4.tcp_max_tw_buckets=0 net.ipv4.tcp_orphan_retries=1; do
    sysctl -qw "$setting" || log "could not set $setting: a GRUB boot soon after another may time out"
  done
fi

# The nodes' machine configs, for matchbox's /generic: SecureString parameters (gzip, base64,
# in chunks under the standard tier's 4 KB) that generator 04's publisher writes. They hold
# the cluster's keys, so they come from the parameter store at every boot, never from user data.
params="$config_parameters"
if command -v aws >/dev/null 2>&1; then
  for i in "${!node_roles[@]}"; do
    role=${node_roles[$i]}
    if chunks=$(aws ssm get-parameters-by-path --path "$params/$role" --with-decryption --query "Parameters[].[Name,Value]" --output text) && [ -n "$chunks" ]; then
      out="$MOON_DATA_DIR/matchbox/generic/${config_files[$i]}"
      if (umask 077 && printf "%s\n" "$chunks" | sort | cut -f2 | tr -d "\n" | base64 -d | gunzip >"$out.part"); then
        chmod 0600 "$out.part" && mv "$out.part" "$out"
        log "Talos $role config installed from $params/$role"
      else
        rm -f "$out.part"
        log "the Talos $role config under $params/$role does not decode; matchbox keeps the one it had"
      fi
    else
      log "no Talos $role config under $params/$role yet (npm run talos:configs -- --publish)"
    fi
  done
else
  log "no AWS CLI: put the Talos configs in $MOON_DATA_DIR/matchbox/generic yourself"
fi

# The loaders DHCP offers to firmware that is not iPXE yet, from a folder when one is given
# (the lab's: Debian's iPXE and a GRUB EFI image for arm64); with docker they also come from
# the dnsmasq image.
if [ -n "${MOON_TFTP_LOADERS:-}" ]; then
  for file in undionly.kpxe ipxe.efi "$arm64_loader"; do
    [ -e "$MOON_TFTP_LOADERS/$file" ] || { log "no $file in $MOON_TFTP_LOADERS"; continue; }
    [ -s "$MOON_DATA_DIR/tftp/$file" ] || cp -L "$MOON_TFTP_LOADERS/$file" "$MOON_DATA_DIR/tftp/$file"
  done
fi

# Upstream credentials, where the operator stored them, from the parameter store into an
# untracked .env that both runtimes read. A parameter that is not there means an anonymous
# pull; any other failure (AccessDenied, no route) is logged, and that cache pulls anonymously.
old_umask=$(umask) && umask 077
: >"$here/.env"
read_credential() {
  local name="$credential_parameters/$1/$2" error
  error=$(aws ssm get-parameter --with-decryption --name "$name" --query Parameter.Value --output text 2>&1 >>"$here/.env.value") && return 0
  case "$error" in
    *ParameterNotFound*) log "no $name: $1 is pulled anonymously" ;;
    *) log "could not read $name, so $1 is pulled anonymously: $(echo "$error" | tr "\n" " ")" ;;
  esac
  return 1
}
for upstream in "${upstreams[@]}"; do
  var=$(echo "$upstream" | tr 'a-z.-' 'A-Z__')
  rm -f "$here/.env.value"
  if read_credential "$upstream" username && read_credential "$upstream" password; then
    user=$(sed -n 1p "$here/.env.value") && pass=$(sed -n 2p "$here/.env.value")
    # Single-quoted, compose reads a value literally (no $ interpolation, no # comment); it
    # cannot hold a quote, and a backslash before the closing one escapes it (compose-go dotenv/parser.go).
    if [[ "$user$pass" == *"'"* || "$user" == *"\\" || "$pass" == *"\\" ]]; then
      log "the credentials stored for $upstream hold a single quote or end in a backslash, which .env cannot carry: $upstream is pulled anonymously"
    else
      printf "%s_USERNAME='%s'\n%s_PASSWORD='%s'\n" "$var" "$user" "$var" "$pass" >>"$here/.env"
      log "$upstream: pulling with the stored credentials"
    fi
  fi
done
rm -f "$here/.env.value"
umask "$old_umask"

# Each runtime starts the services in the same order and returns once they answer.
case "$MOON_CONTAINER_RUNTIME" in
  docker)
    if ! docker compose version >/dev/null 2>&1; then
      log "installing the Docker Compose plugin $compose_version"
      url="https://github.com/docker/compose/releases/download/v$compose_version/docker-compose-linux-$(uname -m)"
      tmp=$(mktemp -d)
      curl -fsSL -o "$tmp/docker-compose" "$url"
      curl -fsSL -o "$tmp/docker-compose.sha256" "$url.sha256"
      (cd "$tmp" && echo "$(cut -d" " -f1 docker-compose.sha256)  docker-compose" | sha256sum -c -)
      install -D -m 0755 "$tmp/docker-compose" /usr/local/lib/docker/cli-plugins/docker-compose
      rm -rf "$tmp"
    fi
    # The DNS filter answers on port 53, where systemd-resolved's stub listener would be.
    if systemctl is-active --quiet systemd-resolved; then
      mkdir -p /etc/systemd/resolved.conf.d
      printf '[Resolve]\nDNSStubListener=no\n' >/etc/systemd/resolved.conf.d/moon-netboot.conf
      systemctl restart systemd-resolved
    fi
    compose=(docker compose --project-name "$compose_project" --project-directory "$here" --file "$here/compose.yaml")
    # The iPXE loaders ship in the dnsmasq image; copy them to the TFTP root once.
    "${compose[@]}" run --rm --no-deps --entrypoint sh dnsmasq -c 'cp -n /var/lib/tftpboot/* /var/lib/moon-tftp/ 2>/dev/null || true'
    for service in "${services[@]}"; do
      log "starting $service"
      "${compose[@]}" up --detach --wait "$service"
    done
    ;;
  native)
    # The lab's bastion runs the same services as processes under a supervisor that restarts them.
    read -r -a supervisor <<<"${MOON_SUPERVISOR:?the native runtime needs MOON_SUPERVISOR, the supervisor command}"
    rm -f "$MOON_DATA_DIR/$supervisor_ready"
    setsid "${supervisor[@]}" "$here/services.json" >>"$MOON_DATA_DIR/logs/supervisor.log" 2>&1 </dev/null &
    for _ in $(seq 120); do
      [ -e "$MOON_DATA_DIR/$supervisor_ready" ] && break
      sleep 1
    done
    test -e "$MOON_DATA_DIR/$supervisor_ready" || { log "services not ready after 120 s: see $MOON_DATA_DIR/logs"; exit 1; }
    ;;
  *) log "MOON_CONTAINER_RUNTIME=$MOON_CONTAINER_RUNTIME: use docker or native" && exit 1 ;;
esac
log "ready: ${services[*]}"

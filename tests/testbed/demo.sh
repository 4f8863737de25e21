#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# `make demo`: the main job on an embedded default. A stand-in upstream and a fresh Debian 12
# test host on a podman network; site.yml provisions the host, one sync runs, verify.yml
# checks it, and the mirror is left up, browsable on 127.0.0.1.
# `make demo-down` (this script with `down`) removes it all.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
step="$top/tests/testbed/step.sh"
# DEMO_NAME (default "demo") names the hosts, the network and the work directory, so that the
# smoke test of `make test` never touches a demo someone left up.
name=${DEMO_NAME:-demo}
net=mirrorkit-$name
upstream=$name-upstream
mirror=$name-mirror.example.test
http_port=${DEMO_HTTP_PORT:-8080}
rsync_port=${DEMO_RSYNC_PORT:-8873}
image=localhost/mirrorkit-debian:bookworm
work="$top/build/$name"
roles_dir="${ANSIBLE_COLLECTIONS_PATH:-$top/build/collections}/ansible_collections/mirrorkit/gentoo/roles"

down() {
  echo "==> removing the demo hosts and network"
  podman rm -f -t 5 "$upstream" "$mirror" > /dev/null 2>&1 || true
  podman network rm "$net" > /dev/null 2>&1 || true
  echo "demo removed"
}

start_host() {
  local name=$1; shift
  podman container exists "$name" && podman rm -f -t 5 "$name" > /dev/null
  podman run -d --name "$name" --hostname "$name" --network "$net" --systemd=always "$@" "$image" /sbin/init > /dev/null
}

wait_booted() {
  local name=$1 state
  for _ in $(seq 60); do
    state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) echo "$name: systemd $state"; return 0;; esac
    sleep 1
  done
  echo "$name did not finish booting" >&2; return 1
}

up() {
  mkdir -p "$work"
  podman network exists "$net" || podman network create "$net" > /dev/null
  "$step" "starting the stand-in upstream ($upstream) and a fresh Debian 12 host ($mirror)" bash -c "
    $(declare -f start_host wait_booted); net=$net; image=$image
    start_host $upstream && start_host $mirror -p 127.0.0.1:$http_port:80 -p 127.0.0.1:$rsync_port:873 &&
    wait_booted $upstream && wait_booted $mirror"
  cat > "$work/inventory.yml" <<EOT
all:
  vars:
    ansible_connection: containers.podman.podman
    ansible_python_interpreter: /usr/bin/python3
  children:
    upstream:
      hosts:
        $upstream:
    gentoo_mirrors:
      hosts:
        $mirror:
      vars:
        gentoo_mirror_hostname: $mirror
        gentoo_mirror_admin_email: mirror-admin@example.test
        gentoo_mirror_upstream: rsync://$upstream/gentoo/
        gentoo_mirror_initial_sync: wait
        gentoo_mirror_min_disk_gib: 1
        gentoo_mirror_https: false
        # verify.yml reaches the mirror the way this machine can: through 127.0.0.1.
        gentoo_mirror_verify_http_url: http://127.0.0.1:$http_port/
        gentoo_mirror_verify_rsync_url: rsync://127.0.0.1:$rsync_port/gentoo/
EOT
  "$step" "stand-in upstream: generating a Gentoo-shaped tree, serving it as rsync://$upstream/gentoo/" \
    ansible-playbook -i "$work/inventory.yml" "$top/molecule/shared/prepare_upstream.yml"
  "$step" "provisioning the mirror with mirrorkit.gentoo.site (first sync included)" \
    ansible-playbook -i "$work/inventory.yml" mirrorkit.gentoo.site
  "$step" "checking the mirror from the outside with mirrorkit.gentoo.verify" \
    ansible-playbook -i "$work/inventory.yml" mirrorkit.gentoo.verify

  missing=()
  for role in gentoo_mirror_disk gentoo_mirror_sync gentoo_mirror_nginx gentoo_mirror_rsyncd gentoo_mirror_tls; do
    [ -d "$roles_dir/$role" ] || missing+=("$role")
  done
  echo
  echo "The demo mirror is up."
  if [ -d "$roles_dir/gentoo_mirror_nginx" ]; then
    echo "  HTTP listing:  http://127.0.0.1:$http_port/releases/   (also /distfiles/, /snapshots/, /experimental/)"
  fi
  if [ -d "$roles_dir/gentoo_mirror_status" ]; then
    echo "  Status page:   http://127.0.0.1:$http_port/status/   (its data: /status/status.json, traffic: /status/traffic/)"
  fi
  if [ -d "$roles_dir/gentoo_mirror_rsyncd" ]; then
    echo "  rsync module:  rsync rsync://127.0.0.1:$rsync_port/gentoo/"
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "  Not in this version of the collection yet, so not provisioned: ${missing[*]}"
  fi
  echo "  Shell on the mirror:  CONTAINERS_CONF=$CONTAINERS_CONF podman exec -it $mirror bash"
  echo "  Tear it all down:     make demo-down"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac

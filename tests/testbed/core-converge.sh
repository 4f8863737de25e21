#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# A whole mirror converged with the newest supported ansible-core (the oldest, 2.19, converges
# every molecule scenario from .venv). A fresh Debian 13 test host runs playbooks/site.yml of
# the installed tarball with ansible-core MINOR from build/core/MINOR/venv (built in the
# controller container by tests/testbed/core-matrix.sh, Python 3.13 like the test host's) and
# connection local: ansible-core 2.20 and later need Python >= 3.12 on the controller, which
# this machine lacks, and the test host has it. Then the mirror must serve the upstream's tree
# over HTTP and rsync on ports published on 127.0.0.1, and a second run must change nothing.
# Usage: core-converge.sh [MINOR]   (default: the newest tests/requirements-core-MINOR.txt)
# Hosts core-upstream and core-mirror.example.test on network mirrorkit-core, ports 30080 and
# 30873; KEEP_HOSTS=1 leaves them running.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
minor=${1:-$(find "$top/tests" -maxdepth 1 -name 'requirements-core-*.txt' | sed 's/.*-core-//; s/\.txt$//' | sort -V | tail -1)}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$top/tests/testbed/containers.conf}
collections=${ANSIBLE_COLLECTIONS_PATH:-$top/build/collections}
[ -f "$collections/ansible_collections/mirrorkit/gentoo/MANIFEST.json" ] \
  || { echo "no installed collection under $collections: run \`make collection\` first" >&2; exit 1; }
venv=$("$top/tests/testbed/core-matrix.sh" --venv "$minor")
work="$top/build/core-converge"
network=mirrorkit-core upstream=core-upstream mirror=core-mirror.example.test
http=30080 rsync=30873

down() {
  podman rm -f -t 5 "$upstream" "$mirror" > /dev/null 2>&1 || true
  podman network rm -f "$network" > /dev/null 2>&1 || true
}
[ "${KEEP_HOSTS:-0}" = 1 ] || trap down EXIT
down
rm -rf "$work"; mkdir -p "$work"
podman network create "$network" > /dev/null
host() {
  podman run -d --name "$1" --hostname "$1" --network "$network" --systemd=always "${@:2}" \
    localhost/mirrorkit-debian:trixie /sbin/init > /dev/null
}
host "$upstream"
# The mirror sees the venv, the installed collection and this run's inventory at the same
# paths as here, read-only.
host "$mirror" -p "127.0.0.1:$http:80" -p "127.0.0.1:$rsync:873" \
  -v "$venv:$venv:ro" -v "$collections:$collections:ro" -v "$work:$work:ro"
for name in "$upstream" "$mirror"; do
  for _ in $(seq 60); do
    state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
    case $state in running|degraded) break ;; esac
    sleep 1
  done
done

echo "==> the stand-in upstream (molecule/shared/prepare_upstream.yml, with .venv's ansible-core)"
printf '[upstream]\n%s ansible_connection=containers.podman.podman\n' "$upstream" > "$work/upstream.ini"
ansible-playbook -i "$work/upstream.ini" "$top/molecule/shared/prepare_upstream.yml" > "$work/prepare.log" \
  || { tail -30 "$work/prepare.log" >&2; exit 1; }

cat > "$work/inventory.yml" <<EOF
---
gentoo_mirrors:
  hosts:
    $mirror:
      ansible_connection: local
      ansible_python_interpreter: /usr/bin/python3
  vars:
    gentoo_mirror_hostname: $mirror
    gentoo_mirror_admin_email: mirror-admin@example.test
    gentoo_mirror_upstream: rsync://$upstream/gentoo/
    gentoo_mirror_initial_sync: wait
    gentoo_mirror_min_disk_gib: 1
    gentoo_mirror_https: false
EOF
converge() {
  podman exec -e ANSIBLE_COLLECTIONS_PATH="$collections" -e ANSIBLE_NOCOLOR=1 -e ANSIBLE_FORCE_COLOR=0 \
    -w "$work" "$mirror" "$venv/bin/ansible-playbook" -i "$work/inventory.yml" mirrorkit.gentoo.site
}
core_version=$(podman exec "$mirror" "$venv/bin/ansible" --version | head -1)
echo "==> site.yml on a fresh Debian 13 host with $core_version"
converge > "$work/converge.log" || { tail -40 "$work/converge.log" >&2; exit 1; }
grep -A2 '^PLAY RECAP' "$work/converge.log"

echo "==> the mirror serves the upstream's tree"
want=$(podman exec "$upstream" sha256sum /srv/upstream/gentoo/distfiles/layout.conf | cut -d' ' -f1)
got=$(curl -fsS "http://127.0.0.1:$http/distfiles/layout.conf" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || { echo "HTTP: layout.conf differs from the upstream's" >&2; exit 1; }
listing=$(curl -fsS "http://127.0.0.1:$http/distfiles/")
[[ $listing == *"Index of"* ]] || { echo "HTTP: no listing of /distfiles/" >&2; exit 1; }
rsync --list-only "rsync://127.0.0.1:$rsync/gentoo/distfiles/layout.conf" > /dev/null \
  || { echo "rsync: the module gentoo does not serve distfiles/layout.conf" >&2; exit 1; }
echo "    HTTP and rsync serve layout.conf as the upstream has it"

echo "==> a second run changes nothing"
converge > "$work/idempotence.log" || { tail -40 "$work/idempotence.log" >&2; exit 1; }
recap=$(grep -A1 '^PLAY RECAP' "$work/idempotence.log" | tail -1)
echo "    $recap"
case $recap in
  *" changed=0 "*" failed=0 "*) ;;
  *) grep -B1 -A3 '^changed:' "$work/idempotence.log" >&2 || true
     echo "the second run changed something or failed" >&2; exit 1 ;;
esac
echo "==> $core_version converged the mirror, it serves, and it is idempotent"

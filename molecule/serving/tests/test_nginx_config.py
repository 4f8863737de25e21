# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Configuration safety of nginx on serving-mirror: a value nginx rejects never reaches the
running server, and gentoo_mirror_ipv6: true is refused on a host without IPv6. Each test runs
a fresh ansible-playbook with the installed collection and expects it to fail."""

from conftest import MIRROR, NGINX_FILES, ansible_playbook, http_get, nginx_config, sh

testinfra_hosts = [MIRROR]

VARS = {
    "gentoo_mirror_hostname": "serving-mirror.example.test",
    "gentoo_mirror_admin_email": "mirror-admin@example.test",
}


def nginx_state():
    return sh(MIRROR, "cat /run/nginx.pid; sha256sum " + NGINX_FILES).stdout


def test_broken_template_variable_keeps_old_configuration():
    before = nginx_state()
    proc = ansible_playbook("nginx.yml", {MIRROR: VARS},
                            {"gentoo_mirror_nginx_extra_directives": ["autoindex maybe"]})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "nginx -t rejected the rendered configuration" in out
    assert 'invalid value "maybe" in "autoindex" directive' in out
    # Same file, same master process (no reload, no restart), still serving.
    assert nginx_state() == before
    assert "maybe" not in nginx_config(MIRROR)
    status, _headers, body = http_get("/releases/")
    assert status == 200 and b'href="amd64/"' in body
    sh(MIRROR, "nginx -t -q")


def test_ipv6_required_on_a_host_without_it_fails_clearly():
    before = nginx_state()
    proc = ansible_playbook("nginx.yml", {MIRROR: dict(VARS, gentoo_mirror_ipv6=True)})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    # Refused by the base role's input check (no global IPv6 address) before anything changes;
    # the nginx role refuses it too (no IPv6 in the kernel) when run on its own.
    assert "gentoo_mirror_ipv6" in out and "IPv6" in out
    assert nginx_state() == before

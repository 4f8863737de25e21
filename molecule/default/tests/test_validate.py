"""Bad input is refused by site.yml before anything changes, with a message naming the
variable, the value and what is allowed."""

import os
import subprocess

import pytest

testinfra_hosts = ["gentoo_mirrors"]

BAD_INPUT = [
    ("gentoo_mirror_root", "", "gentoo_mirror_root=\"\" is not allowed"),
    ("gentoo_mirror_root", "srv/gentoo", "gentoo_mirror_root=\"srv/gentoo\" is not allowed"),
    ("gentoo_mirror_root", "/", "gentoo_mirror_root=\"/\" is not allowed"),
    ("gentoo_mirror_root", "/etc/", "gentoo_mirror_root=\"/etc/\" is not allowed"),
    ("gentoo_mirror_upstream", "http://example.org/gentoo", "gentoo_mirror_upstream=\"http://example.org/gentoo\" is not allowed"),
    ("gentoo_mirror_admin_email", "root", "gentoo_mirror_admin_email=\"root\" is not allowed"),
    ("gentoo_mirror_hostname", "bad_name..example", "gentoo_mirror_hostname=\"bad_name..example\" is not allowed"),
    ("gentoo_mirror_max_connections", "14", "gentoo_mirror_max_connections=14 is not allowed"),
    ("gentoo_mirror_ipv6", "true", "this host has no global IPv6 address"),
    ("gentoo_mirror_initial_sync", "later", "gentoo_mirror_initial_sync"),
]


def run_site(*extra):
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo.site", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def snapshot(host):
    """What a first step of site.yml would change: packages, users, the mirror root."""
    return (
        host.run("dpkg-query -W -f '${Package}\\n' | sort").stdout,
        host.run("getent passwd | sort").stdout,
        host.run("ls -la /srv 2>&1").stdout,
    )


@pytest.mark.parametrize("name,value,message", BAD_INPUT, ids=[f"{n}={v!r}" for n, v, _ in BAD_INPUT])
def test_bad_input_is_refused_and_host_unchanged(host, name, value, message):
    before = snapshot(host)
    result = run_site("-e", f"{name}={value}" if name != "gentoo_mirror_max_connections" else f'{{"{name}": {value}}}')
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert message in out, out
    assert "changed=0" in out, out
    assert snapshot(host) == before


def test_https_only_without_acme_is_refused(host):
    result = run_site("-e", '{"gentoo_mirror_http": false, "gentoo_mirror_rsync": false, "gentoo_mirror_https": true, "gentoo_mirror_acme_directory": ""}')
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Gentoo's policy requires HTTP and/or HTTPS" in out

"""First of the scenario (before any fault): verify.yml passes for the mirror as site.yml left
it, over HTTP, HTTPS (certificate from Pebble, checked against Pebble's root) and rsync."""

import os
import re
import subprocess

from conftest import HOSTNAME, PEBBLE, sh

testinfra_hosts = [HOSTNAME]


def test_verify_passes_over_http_https_and_rsync(tmp_path):
    root = sh(PEBBLE, "python3 -c \"import ssl, urllib.request; print(urllib.request.urlopen("
                      "'https://localhost:15000/roots/0', context=ssl.create_default_context("
                      "cafile='/etc/pebble/api-ca.pem'), timeout=10).read().decode())\"").stdout
    bundle = tmp_path / "pebble-root.pem"
    bundle.write_text(root)
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo.verify",
           "-e", "gentoo_mirror_verify_ca_bundle=%s" % bundle]
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    assert "1 mirror(s) checked: 1 pass, 0 fail" in out, out[-5000:]
    assert "0 failed, 0 skipped" in out, out[-5000:]
    for check in ("timestamp.mirmon", "listing releases/", "layout.conf"):
        for protocol in ("http", "https"):
            assert re.search(r"%s\s+%s\s+ok" % (re.escape(check), protocol), out), (check, protocol)
    assert re.search(r"certificate\s+https\s+ok", out), out[-5000:]
    assert re.search(r"timestamp.mirmon\s+rsync\s+ok", out), out[-5000:]

# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""First of the scenario (before any fault): verify.yml passes for the mirror as site.yml left
it, over HTTP, HTTPS (certificate from Pebble, checked against Pebble's root) and rsync."""

import os
import re
import subprocess

from conftest import HOSTNAME, PEBBLE, pebble_root_pem

testinfra_hosts = [HOSTNAME]


def test_verify_passes_over_http_https_and_rsync(tmp_path):
    bundle = tmp_path / "pebble-root.pem"
    bundle.write_text(pebble_root_pem(PEBBLE))
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

# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A second converge of the TLS scenario with another host name and HSTS on. In a file of its
own so that it runs after every test of test_tls.py (which check the first name)."""

import json
import os
import re
import socket
import ssl
import subprocess
import urllib.request

from cryptography import x509

from test_tls import HTTP_URL, HTTPS_ADDR

testinfra_hosts = ["podman://tls-mirror.example.test"]

NEW_NAME = "tls-mirror-new.example.test"


def test_new_host_name_gets_its_own_certificate_and_hsts_switches_on(host, pebble_root):
    """Last: converge again with another gentoo_mirror_hostname (Pebble resolves it through
    /etc/hosts, see prepare.yml) and gentoo_mirror_hsts: true."""
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"],
           os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml"),
           "-e", json.dumps({"gentoo_mirror_hostname": NEW_NAME, "gentoo_mirror_hsts": True})]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Requesting a certificate for %s" % NEW_NAME in proc.stdout
    ctx = ssl.create_default_context(cafile=pebble_root)
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(HTTPS_ADDR, timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname=NEW_NAME) as tls:
            cert = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
            tls.sendall(("HEAD / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % NEW_NAME).encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                head += chunk
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [NEW_NAME]
    assert host.file("/etc/letsencrypt/renewal/%s.conf" % NEW_NAME).exists
    # HSTS: sent over HTTPS, with a max-age; not over HTTP
    assert re.search(r"(?im)^strict-transport-security: max-age=\d+", head.decode()), head
    with urllib.request.urlopen(f"{HTTP_URL}/", timeout=10) as resp:
        assert resp.headers.get("Strict-Transport-Security") is None

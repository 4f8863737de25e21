# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certificate check of verify.yml (roles/gentoo_mirror_verify/tasks/checks/certificate.yml) against real
TLS servers on 127.0.0.1: a throw-away CA signs certificates that are good, expire in five
days, or name another host, and one server is checked against the system's CAs instead of
the test CA. One ansible-playbook run checks all four (one inventory host each)."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import threading

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.mirrorkit.gentoo.plugins.filter import verify as verify_filters

TOP = pathlib.Path(__file__).resolve().parents[4]
# The directory holding ansible_collections/mirrorkit/gentoo (tests/unit/conftest.py makes one
# under build/unit when the repository is not laid out that way already).
UNIT_COLLECTIONS = pathlib.Path(verify_filters.__file__).parents[5]
PLAYBOOK_BIN = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
HOST = "mirror.example.test"

pytestmark = pytest.mark.skipif(PLAYBOOK_BIN is None, reason="ansible-playbook not found")


def _name(common):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca():
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name("mirrorkit test CA")).issuer_name(_name("mirrorkit test CA"))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_leaf(ca_key, ca_cert, names, days):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


class TLSServer:
    """Accepts TLS connections on 127.0.0.1 and completes the handshake, until stopped."""

    def __init__(self, tmp, label, key, cert):
        certfile = tmp / ("%s.pem" % label)
        certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(certfile))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                conn = self.sock.accept()[0]
            except OSError:
                continue
            try:
                conn.settimeout(5)
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


PLAYBOOK = """
- name: Certificate check of verify.yml
  hosts: all
  gather_facts: false
  tasks:
    - name: Note the clock, start the rows, say what the mirror serves
      ansible.builtin.set_fact:
        __gentoo_mirror_verify_now: "{{{{ now().timestamp() | int }}}}"
        __gentoo_mirror_verify_rows: []
        __gentoo_mirror_verify_settings: >-
          {{{{ {{'hostname': gentoo_mirror_hostname, 'https': true, 'web': [],
                'rsync': false, 'max_age_seconds': 21600, 'cert_min_days': 14, 'ca_bundle': __gentoo_mirror_verify_ca_bundle,
                'bandwidth': false, 'limits': false}} }}}}
    - name: The certificate check of the verify role (it judges its own answers)
      ansible.builtin.import_tasks: {tasks}
    - name: Keep the rows
      ansible.builtin.copy:
        content: "{{{{ __gentoo_mirror_verify_rows | to_json }}}}"
        dest: "{out}/{{{{ inventory_hostname }}}}.json"
        mode: "0644"
      delegate_to: localhost
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("certcheck")
    ca_key, ca_cert = make_ca()
    ca_file = tmp / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    servers = {
        "good": TLSServer(tmp, "good", *make_leaf(ca_key, ca_cert, [HOST], 90)),
        "expiring": TLSServer(tmp, "expiring", *make_leaf(ca_key, ca_cert, [HOST], 5)),
        "wrong_name": TLSServer(tmp, "wrong", *make_leaf(ca_key, ca_cert, ["other.example.test"], 90)),
    }
    hosts = {
        name: {"__gentoo_mirror_verify_https_port": server.port, "__gentoo_mirror_verify_ca_bundle": str(ca_file)} for name, server in servers.items()
    }
    # The good certificate, checked against the controller's CAs instead of the test CA.
    hosts["untrusted"] = {"__gentoo_mirror_verify_https_port": servers["good"].port, "__gentoo_mirror_verify_ca_bundle": ""}
    inventory = {"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "gentoo_mirror_hostname": HOST, "__gentoo_mirror_verify_https_host": "127.0.0.1", "__gentoo_mirror_verify_timeout": 10},
        "hosts": hosts}}
    (tmp / "inventory.json").write_text(json.dumps(inventory))
    out = tmp / "out"
    out.mkdir()
    (tmp / "check.yml").write_text(PLAYBOOK.format(tasks=TOP / "roles" / "gentoo_mirror_verify" / "tasks" / "checks" / "certificate.yml", out=out))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(UNIT_COLLECTIONS), ANSIBLE_NOCOLOR="1")
    try:
        run = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp / "inventory.json"), str(tmp / "check.yml")],
                             capture_output=True, text=True, timeout=300, env=env, check=False)
    finally:
        for server in servers.values():
            server.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    found = {}
    for name in hosts:
        rows = json.loads((out / ("%s.json" % name)).read_text())
        found[name] = [r for r in rows if r["check"] == "certificate"][0]
    return found


def test_good_certificate_passes(results):
    row = results["good"]
    assert row["result"] == "ok", row
    assert row["detail"].startswith("valid for %s, issued by mirrorkit test CA, expires " % HOST)


def test_certificate_expiring_within_14_days_fails(results):
    row = results["expiring"]
    assert row["result"] == "fail", row
    assert "days left, fewer than 14" in row["detail"]


def test_certificate_for_another_name_fails(results):
    row = results["wrong_name"]
    assert row["result"] == "fail", row
    assert row["detail"] == "not valid for %s (names: DNS:other.example.test)" % HOST


def test_certificate_from_an_untrusted_ca_fails(results):
    row = results["untrusted"]
    assert row["result"] == "fail", row
    assert "verification against the trusted CAs failed" in row["detail"]

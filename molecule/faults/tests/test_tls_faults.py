# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTPS under scrutiny and under faults: a TLS scan against Mozilla's intermediate profile, and
the ACME server down when the certificate is renewed (the current certificate keeps serving).

Runs last in the scenario: it stops Pebble.
"""

import os
import socket
import ssl
import subprocess

import pytest
from cryptography import x509

from conftest import HOSTNAME, HTTPS_PORT, MIRROR, PEBBLE, http_get, main_pid, mirror, pebble_root_pem, repo_dir, sh

testinfra_hosts = [MIRROR]
LIVE = "/etc/letsencrypt/live/%s" % HOSTNAME


@pytest.fixture(scope="module")
def pebble_root(tmp_path_factory):
    """Pebble's issuing root (made when Pebble started), the only trust anchor of these clients."""
    path = tmp_path_factory.mktemp("pebble") / "pebble-root.pem"
    path.write_text(pebble_root_pem(PEBBLE) + "\n")
    return str(path)


def served_certificate(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname=HOSTNAME) as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def test_tls_scan_finds_the_mozilla_intermediate_profile(pebble_root):
    """sslyze (PyPI) scans the mirror and checks it against Mozilla's "intermediate" profile."""
    # sslyze lives in a virtual environment of its own (make venv; MIRRORKIT_SSLYZE).
    scanner = os.environ.get("MIRRORKIT_SSLYZE", os.path.join(repo_dir(), ".venv-sslyze", "bin", "sslyze"))
    proc = subprocess.run(
        [scanner, "--mozilla_config=intermediate", "--certinfo_ca_file", pebble_root,
         "%s:%d{127.0.0.1}" % (HOSTNAME, HTTPS_PORT)],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "OK - Compliant." in proc.stdout, proc.stdout[-4000:]


RENEWAL_CONF = "/etc/letsencrypt/renewal/%s.conf" % HOSTNAME
DUE = "renew_before_expiry = 36500 days  # mirrorkit test: due now"


def test_renewal_by_the_sandboxed_certbot_service_reaches_nginx(pebble_root):
    """certbot.service (Debian's unit, started as certbot.timer starts it) renews in its sandbox:
    it writes the new certificate, and its deploy hook reloads nginx through systemd, which
    then serves the new certificate from the same master process."""
    sandbox = mirror("systemctl show -p ProtectSystem -p CapabilityBoundingSet -p NoNewPrivileges "
                     "certbot.service").stdout.split()
    assert sorted(sandbox) == ["CapabilityBoundingSet=cap_chown", "NoNewPrivileges=yes", "ProtectSystem=strict"]
    before = served_certificate(pebble_root)
    on_disk = mirror("sha256sum %s/cert.pem" % LIVE).stdout
    master = main_pid("nginx.service")
    # Due for renewal (by the lineage's own setting), so that the unit's plain `certbot -q renew` renews.
    mirror("sed -i '1i %s' %s" % (DUE, RENEWAL_CONF))
    try:
        proc = mirror("systemctl start certbot.service", check=False, timeout=300)
    finally:
        mirror("sed -i '/mirrorkit test: due now/d' %s" % RENEWAL_CONF)
    journal = mirror("journalctl --sync; journalctl --no-pager -o cat -u certbot.service "
                     "_SYSTEMD_INVOCATION_ID=$(systemctl show -p InvocationID --value certbot.service)").stdout
    assert proc.returncode == 0, proc.stderr + journal
    assert mirror("systemctl show -p Result --value certbot.service").stdout.strip() == "success"
    assert mirror("sha256sum %s/cert.pem" % LIVE).stdout != on_disk
    new_serial = int(mirror("openssl x509 -noout -serial -in %s/cert.pem" % LIVE).stdout.strip().split("=")[1], 16)
    assert new_serial != before.serial_number
    assert served_certificate(pebble_root).serial_number == new_serial
    assert main_pid("nginx.service") == master
    assert http_get("/distfiles/layout.conf")[0] == 200


def test_acme_server_down_at_renewal_keeps_the_current_certificate(pebble_root):
    before = served_certificate(pebble_root)
    on_disk = mirror("sha256sum %s/cert.pem" % LIVE).stdout
    master = main_pid("nginx.service")
    bundle = mirror("systemctl show -p Environment --value certbot.service").stdout
    bundle = [item for item in bundle.split() if item.startswith("REQUESTS_CA_BUNDLE=")]
    assert bundle, "certbot.service trusts no private ACME CA"

    sh(PEBBLE, "systemctl stop pebble")
    # A renewal as the distribution's certbot.service would run it, forced (the certificate is
    # not due yet), in a unit of its own so that its output lands in the journal.
    proc = mirror("systemd-run --unit=faults-renewal --wait --collect -p Environment=%s "
                  "/usr/bin/certbot -q renew --no-random-sleep-on-renew --force-renewal" % bundle[0],
                  check=False, timeout=300)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    journal = mirror("journalctl --sync; journalctl --no-pager -o cat -u faults-renewal").stdout
    assert "Failed to renew certificate %s" % HOSTNAME in journal, journal
    log = mirror("cat /var/log/letsencrypt/letsencrypt.log").stdout
    assert "faults-pebble" in log and ("Connection refused" in log or "Failed to establish" in log), log[-3000:]

    # the current certificate is untouched and still served, by the same nginx, next to HTTP
    assert mirror("sha256sum %s/cert.pem" % LIVE).stdout == on_disk
    after = served_certificate(pebble_root)
    assert after.serial_number == before.serial_number
    assert main_pid("nginx.service") == master
    assert http_get("/distfiles/layout.conf")[0] == 200

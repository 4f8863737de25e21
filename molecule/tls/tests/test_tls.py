# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTPS of the mirror, checked from the machine through 127.0.0.1 like a client would.

The certificate comes from Pebble (tls-pebble) through certbot's HTTP-01 challenge. Pebble's
issuing root is generated when Pebble starts; it is fetched from Pebble's management
interface and is the only trust anchor the client checks against.
"""

import re
import socket
import ssl
import time
import urllib.request

import pytest
from cryptography import x509

# podman exec (CONTAINERS_CONF from the environment) is much cheaper than an ansible
# round trip per command.
testinfra_hosts = ["podman://tls-mirror.example.test"]

HOSTNAME = "tls-mirror.example.test"
HTTPS_ADDR = ("127.0.0.1", 13443)
HTTP_URL = "http://127.0.0.1:13080"
PEBBLE_DIR = "https://tls-pebble:14000/dir"
LIVE = f"/etc/letsencrypt/live/{HOSTNAME}"


@pytest.fixture(scope="module")
def ca_bundle(host):
    """The CA bundle certbot.service (started by certbot.timer) gets through our drop-in."""
    env = host.check_output("systemctl show --property=Environment --value certbot.service")
    match = re.search(r"REQUESTS_CA_BUNDLE=(\S+)", env)
    assert match, f"certbot.service has no REQUESTS_CA_BUNDLE: {env!r}"
    return match.group(1)


def handshake(cafile=None, version=None, ciphers=None, alpn=None):
    """Open a TLS connection to the mirror; return (protocol, leaf DER, ALPN protocol)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile:
        ctx.load_verify_locations(cafile=cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if version:
        ctx.minimum_version = version
        ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    with socket.create_connection(HTTPS_ADDR, timeout=10) as sock:
        with ctx.wrap_socket(sock, server_hostname=HOSTNAME) as tls:
            return tls.version(), tls.getpeercert(binary_form=True), tls.selected_alpn_protocol()


def children(host, pid):
    """PIDs whose parent is pid (the image has no procps)."""
    out = host.run("grep -l -E '^PPid:[[:space:]]+%s$' /proc/[0-9]*/status", pid).stdout
    return set(re.findall(r"/proc/(\d+)/status", out))


def served_serial():
    return x509.load_der_x509_certificate(handshake()[1]).serial_number


def test_served_certificate_names_host_and_verifies_against_pebble_root(pebble_root):
    # check_hostname is on and Pebble's root is the only trust anchor: a self-signed or
    # foreign certificate, or one for another name, fails the handshake.
    dummy, der, dummy = handshake(cafile=pebble_root)
    cert = x509.load_der_x509_certificate(der)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [HOSTNAME]


def test_served_certificate_is_the_lineage_certbot_keeps(host):
    on_disk = x509.load_pem_x509_certificate(host.file(f"{LIVE}/cert.pem").content)
    assert served_serial() == on_disk.serial_number


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_old_tls_versions_are_refused_by_the_server(version):
    # SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all; the protocol_version alert in the
    # error is sent by the server, so the refusal is the server's.
    with pytest.raises(ssl.SSLError) as err:
        handshake(version=version, ciphers="ALL:@SECLEVEL=0")
    assert "TLSV1_ALERT_PROTOCOL_VERSION" in str(err.value)


@pytest.mark.parametrize(
    ("version", "name"),
    [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")],
)
def test_tls12_and_tls13_are_accepted(pebble_root, version, name):
    assert handshake(cafile=pebble_root, version=version)[0] == name


def test_http2_is_offered(pebble_root):
    assert handshake(cafile=pebble_root, alpn=["h2", "http/1.1"])[2] == "h2"


def test_http_stays_available_next_to_https():
    with urllib.request.urlopen(f"{HTTP_URL}/distfiles/layout.conf", timeout=10) as resp:
        assert resp.status == 200
        assert b"filename-hash BLAKE2B 8" in resp.read()


def test_one_lineage_named_after_the_host_bound_to_pebble(host):
    renewal = host.file("/etc/letsencrypt/renewal")
    assert renewal.listdir() == [f"{HOSTNAME}.conf"]
    conf = host.file(f"/etc/letsencrypt/renewal/{HOSTNAME}.conf").content_string
    assert re.search(rf"^server = {re.escape(PEBBLE_DIR)}$", conf, re.M)
    assert re.search(r"^authenticator = webroot$", conf, re.M)


def test_renewal_is_scheduled_by_certbot_timer_only(host):
    timer = host.service("certbot.timer")
    assert timer.is_enabled
    assert timer.is_running
    # Debian's /etc/cron.d/certbot is the only cron entry naming certbot, and it steps aside
    # on a host that runs systemd.
    listed = host.run("grep -rl certbot /etc/cron.d /etc/cron.daily /etc/cron.hourly /etc/crontab /var/spool/cron")
    assert listed.stdout.split() == ["/etc/cron.d/certbot"]
    assert "/run/systemd/system" in host.file("/etc/cron.d/certbot").content_string


def test_certbot_service_trusts_the_configured_ca_bundle(host, ca_bundle):
    assert ca_bundle == "/etc/ssl/mirrorkit-test/pebble-api-ca.pem"
    assert host.file(ca_bundle).is_file


def test_renew_dry_run_succeeds_against_pebble(host, ca_bundle):
    # certbot 2.1 makes --dry-run talk to Let's Encrypt staging unless --server names the
    # private server (certbot's set_test_server); the lineage's own server is Pebble.
    result = host.run(
        "env REQUESTS_CA_BUNDLE=%s certbot renew --dry-run --no-random-sleep-on-renew "
        "--cert-name %s --server %s",
        ca_bundle,
        HOSTNAME,
        PEBBLE_DIR,
    )
    assert result.rc == 0, result.stderr
    assert "all simulated renewals succeeded" in (result.stdout + result.stderr)


def test_renewal_runs_deploy_hook_that_reloads_nginx(host, ca_bundle, pebble_root):
    before = served_serial()
    master = host.check_output("systemctl show --property=MainPID --value nginx.service")
    workers = children(host, master)
    assert workers

    result = host.run(
        "env REQUESTS_CA_BUNDLE=%s certbot renew --force-renewal --no-random-sleep-on-renew "
        "--cert-name %s",
        ca_bundle,
        HOSTNAME,
    )
    assert result.rc == 0, result.stderr
    renewed = x509.load_pem_x509_certificate(host.file(f"{LIVE}/cert.pem").content).serial_number
    assert renewed != before

    # nginx reads certificates only when it (re)loads: the new serial on the wire means the
    # hook reloaded it. A reload keeps the master and replaces the workers.
    deadline = time.monotonic() + 15
    while served_serial() != renewed and time.monotonic() < deadline:
        time.sleep(0.5)
    assert served_serial() == renewed
    handshake(cafile=pebble_root)
    assert host.check_output("systemctl show --property=MainPID --value nginx.service") == master
    new_workers = children(host, master)
    assert new_workers
    assert not workers & new_workers


def test_acme_account_is_registered_for_the_admin_email(host, ca_bundle):
    """The ACME server itself says whose account it is (certbot show_account asks it)."""
    result = host.run("env REQUESTS_CA_BUNDLE=%s certbot show_account --server %s", ca_bundle, PEBBLE_DIR)
    assert result.rc == 0, result.stderr
    assert "Email contact: mirror-admin@example.test" in result.stdout + result.stderr


def test_deploy_hook_does_not_reload_a_configuration_nginx_rejects(host):
    hook = host.check_output("ls /etc/letsencrypt/renewal-hooks/deploy/*")
    master = host.check_output("systemctl show --property=MainPID --value nginx.service")
    workers = children(host, master)
    host.check_output("cp /etc/nginx/nginx.conf /root/nginx.conf.good && echo 'not a directive' >> /etc/nginx/nginx.conf")
    try:
        result = host.run("env RENEWED_LINEAGE=%s %s", LIVE, hook)
    finally:
        host.check_output("mv /root/nginx.conf.good /etc/nginx/nginx.conf")
    assert result.rc == 1
    # nginx.service's reload tests the configuration first (the nginx role's drop-in) and fails
    assert "reloading nginx failed (its configuration test runs first" in result.stderr
    # no reload happened: the same master and the same workers still serve
    assert host.check_output("systemctl show --property=MainPID --value nginx.service") == master
    assert children(host, master) == workers
    handshake()

# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nginx side of the TLS interface, last because it changes the configuration: once
/etc/letsencrypt/live/<gentoo_mirror_hostname>/{fullchain,privkey}.pem exist, the role's
`config` tasks (what gentoo_mirror_tls runs after certbot) switch HTTPS on, next to HTTP.
A self-signed certificate stands in for certbot's on both hosts (Debian 12 and 13).
The same run asks serving-mirror for 10000 clients, more than its open-files limit allows."""

import http.client
import re
import socket
import ssl

import pytest

from conftest import MIRROR, MIRROR6, HeldRequests, ansible_playbook, http_get, nginx_config, sh

testinfra_hosts = [MIRROR]

NAMES = {MIRROR: "serving-mirror.example.test", MIRROR6: "serving-mirror6.example.test"}


@pytest.fixture(scope="module")
def https_on(tmp_path_factory):
    for container, name in NAMES.items():
        live = "/etc/letsencrypt/live/" + name
        # Made once: nginx reads a certificate when it (re)loads, and renewals are the TLS
        # role's business (its deploy hook reloads nginx).
        sh(container, "mkdir -p %(d)s && cd %(d)s && test -s fullchain.pem"
                      " || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                      " -days 2 -subj /CN=%(n)s -addext subjectAltName=DNS:%(n)s"
                      " -keyout privkey.pem -out fullchain.pem 2>/dev/null" % {"d": live, "n": name})
    hosts = {container: {"gentoo_mirror_hostname": name,
                         "gentoo_mirror_admin_email": "mirror-admin@example.test"}
             for container, name in NAMES.items()}
    # Also more clients than the host's open-files limit (16384) allows: capped, with a warning.
    hosts[MIRROR]["gentoo_mirror_max_connections"] = 10000
    proc = ansible_playbook("nginx.yml", hosts)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cafile = tmp_path_factory.mktemp("tls") / "ca.pem"
    cafile.write_text(sh(MIRROR, "cat /etc/letsencrypt/live/%s/fullchain.pem" % NAMES[MIRROR]).stdout)
    return {"cafile": str(cafile), "output": proc.stdout}


def tls_connect(cafile, alpn=("h2", "http/1.1"), **settings):
    context = ssl.create_default_context(cafile=cafile)
    for key, value in settings.items():
        setattr(context, key, value)
    context.set_alpn_protocols(list(alpn))
    sock = socket.create_connection(("127.0.0.1", 28443), timeout=30)
    return context.wrap_socket(sock, server_hostname=NAMES[MIRROR])


def https_get(cafile, path):
    with tls_connect(cafile, alpn=("http/1.1",)) as tls:
        tls.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                     % (path, NAMES[MIRROR])).encode())
        resp = http.client.HTTPResponse(tls)
        resp.begin()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


def test_https_serves_listing_with_http2_and_tls13(https_on):
    with tls_connect(https_on["cafile"]) as tls:
        assert tls.version() == "TLSv1.3"
        assert tls.selected_alpn_protocol() == "h2"
    status, headers, body = https_get(https_on["cafile"], "/releases/")
    assert status == 200 and b'href="amd64/"' in body
    assert "strict-transport-security" not in headers  # gentoo_mirror_hsts: false
    assert headers["server"] == "nginx"


def test_tls12_with_forward_secret_aead_and_no_session_tickets(https_on):
    with tls_connect(https_on["cafile"], maximum_version=ssl.TLSVersion.TLSv1_2) as tls:
        assert tls.version() == "TLSv1.2"
        cipher = tls.cipher()[0]
        assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher)
        tls.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        tls.recv(1024)
        assert not tls.session.has_ticket  # ssl_session_tickets off


def test_tls11_refused(https_on):
    with pytest.raises(ssl.SSLError):
        with tls_connect(https_on["cafile"], minimum_version=ssl.TLSVersion.MINIMUM_SUPPORTED,
                         maximum_version=ssl.TLSVersion.TLSv1_1):
            pass


def test_http_stays_on_next_to_https(https_on):
    assert http_get("/releases/")[0] == 200


def test_listen_directives_follow_the_nginx_version(https_on):
    old = nginx_config(MIRROR)     # Debian 12: nginx 1.22
    assert "listen 443 ssl http2 default_server;" in old and "http2 on;" not in old
    new = nginx_config(MIRROR6)    # Debian 13: nginx 1.26
    assert re.search(r"listen 443 ssl default_server;\s+listen \[::\]:443 ssl default_server;\s+"
                     r"http2 on;", new)
    # Debian 13 serves HTTPS on both families too (client inside the host).
    out = sh(MIRROR6, "for a in 127.0.0.1 '[::1]'; do python3 -c 'import ssl, sys, urllib.request;"
                      " c = ssl._create_unverified_context();"
                      " print(urllib.request.urlopen(sys.argv[1], context=c, timeout=30).status)'"
                      " https://$a/releases/; done").stdout.split()
    assert out == ["200", "200"]
    sh(MIRROR6, "nginx -t -q")


def test_https_one_address_gets_its_share_then_a_fast_503(https_on, big_file):
    """Over HTTPS too: 64 downloads in progress from one address (the default per-client limit),
    the 65th and after refused at once with Retry-After and the content policy."""
    context = ssl.create_default_context(cafile=https_on["cafile"])
    held = HeldRequests(70, big_file[0], port=28443, context=context, server_hostname=NAMES[MIRROR])
    try:
        assert held.statuses == [200] * 64 + [503] * 6, held.statuses
        for headers, seconds in zip(held.headers[64:], held.seconds[64:]):
            assert headers["retry-after"] == "60" and headers["x-content-type-options"] == "nosniff"
            assert seconds < 2, held.seconds
    finally:
        held.close()


def test_capacity_capped_by_the_hosts_open_files_limit(https_on):
    assert ("WARNING: gentoo_mirror_max_connections=10000 needs more open files than this host"
            " allows (16384" in " ".join(https_on["output"].split()))
    conf = sh(MIRROR, "cat /etc/nginx/nginx.conf").stdout
    assert "worker_rlimit_nofile 16384;" in conf
    # (16384 - 1000 cached descriptors - 64 reserve) / 2 descriptors per connection
    assert "worker_connections 7660;" in conf
    assert sh(MIRROR, "systemctl show -p LimitNOFILE --value nginx").stdout.strip() == "16384"
    limits = sh(MIRROR, "for p in $(grep -lx nginx /proc/[0-9]*/comm); do d=${p%/comm};"
                        " grep 'Max open files' $d/limits; done").stdout.splitlines()
    assert len(limits) >= 2
    assert all(line.split()[3] == "16384" for line in limits), limits
    assert "setrlimit" not in sh(MIRROR, "cat /var/log/nginx/error.log").stdout
    assert http_get("/releases/")[0] == 200

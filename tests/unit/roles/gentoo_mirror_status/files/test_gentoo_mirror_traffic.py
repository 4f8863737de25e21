# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The traffic report (roles/gentoo_mirror_status/files/gentoo_mirror_traffic.py): nginx's and
rsyncd's log lines in GoAccess's one layout, the days kept, the addresses truncated, and the
GoAccess command. GoAccess itself runs on the test hosts (molecule/faults)."""

import datetime
import gzip
import json

import pytest

NOW = datetime.datetime(2026, 12, 3, 15, 0, 0, tzinfo=datetime.timezone.utc)
SINCE = NOW - datetime.timedelta(days=14)
NGINX = ('203.0.113.7 - - [03/Dec/2026:14:00:01 +0000] "GET /distfiles/ab/foo.tar.gz?x=1 HTTP/1.1" 200 12345 '
         '"https://ref.example/private" "Wget/1.21" 0.001 https')
RSYNCD = "2026/12/03 14:05:01 [123] send 2001:db8:1:2::5 gentoo distfiles/ab/foo.tar.gz 12345"


@pytest.fixture(scope="module")
def traffic(role_program):
    return role_program("gentoo_mirror_traffic")


def test_nginx_line_keeps_scheme_path_status_bytes_agent_and_drops_query_and_referrer(traffic):
    line = traffic.from_nginx(NGINX, SINCE)
    assert line.startswith("https 203.0.113.0 ")
    assert line.endswith(' "/distfiles/ab/foo.tar.gz" 200 12345 "Wget/1.21"\n')
    assert "ref.example" not in line and "x=1" not in line and "203.0.113.7" not in line


def test_nginx_line_without_scheme_is_http(traffic):
    assert traffic.from_nginx(NGINX.rsplit(" ", 1)[0], SINCE).startswith("http ")


def test_rsyncd_send_line_is_a_request_of_protocol_rsync(traffic):
    line = traffic.from_rsyncd(RSYNCD, SINCE)
    assert line.startswith("rsync 2001:db8:1:: ")
    assert line.endswith(' "/distfiles/ab/foo.tar.gz" 200 12345 "rsync"\n')


@pytest.mark.parametrize("other", [
    "2026/12/03 14:05:00 [123] connect from UNKNOWN (10.9.9.9)",
    "2026/12/03 14:05:01 [123] sent 12400 bytes  received 50 bytes  total size 12345",
    "garbage",
])
def test_other_rsyncd_lines_are_no_requests(traffic, other):
    assert traffic.from_rsyncd(other, SINCE) is None


def test_lines_older_than_the_report_are_left_out(traffic):
    assert traffic.from_nginx(NGINX, NOW) is None
    assert traffic.from_rsyncd(RSYNCD, NOW + datetime.timedelta(days=1)) is None


@pytest.mark.parametrize("addr,network", [("198.51.100.23", "198.51.100.0"), ("2001:db8:aa:bb::1", "2001:db8:aa::"),
                                          ("::ffff:192.0.2.9", "192.0.2.0"), ("not-an-address", "0.0.0.0")])
def test_addresses_are_truncated_to_their_network(traffic, addr, network):
    assert traffic.anonymize(addr) == network


def test_reads_current_and_rotated_logs_gzipped_or_not_oldest_first(traffic, tmp_path):
    nginx = tmp_path / "access.log"
    nginx.write_text(NGINX + "\n")
    (tmp_path / "access.log.1").write_text(NGINX.replace("14:00:01", "13:00:01") + "\n")
    with gzip.open(tmp_path / "access.log.2.gz", "wt") as handle:
        handle.write(NGINX.replace("03/Dec", "02/Dec") + "\n")
    with gzip.open(tmp_path / "access.log.20.gz", "wt") as handle:
        handle.write(NGINX.replace("03/Dec", "01/Nov") + "\n")
    (tmp_path / "access.log.old-copy").write_text("not a rotated log\n")
    assert traffic.log_files(str(nginx)) == [str(tmp_path / n) for n in
                                             ("access.log.20.gz", "access.log.2.gz", "access.log.1", "access.log")]
    cfg = {"nginx_log": str(nginx), "rsyncd_log": str(tmp_path / "missing.log"), "days": 14}
    lines = list(traffic.requests(cfg, NOW))
    assert [line.split()[2:4] for line in lines] == [["2026-12-02", "14:00:01"], ["2026-12-03", "13:00:01"],
                                                     ["2026-12-03", "14:00:01"]]


def test_goaccess_command_hides_client_panels_and_uses_geoip_only_when_there(traffic, tmp_path):
    cfg = {"title": "Traffic", "geoip_database": str(tmp_path / "none.mmdb"), "days": 14}
    argv = traffic.goaccess_command(cfg, "/out/.index.1.tmp.html")
    assert argv[:2] == ["goaccess", "-"] and "--log-format=" + traffic.LOG_FORMAT in argv
    assert "--output=/out/.index.1.tmp.html" in argv and "--anonymize-ip" in argv
    assert {"--ignore-panel=HOSTS", "--ignore-panel=REFERRERS", "--ignore-panel=ASN"} <= set(argv)
    assert not any(a.startswith("--geoip-database") for a in argv)
    (tmp_path / "none.mmdb").write_bytes(b"")
    assert "--geoip-database=%s" % (tmp_path / "none.mmdb") in traffic.goaccess_command(cfg, "/out/x.html")


@pytest.mark.parametrize("change,message", [({"days": 0}, "days must be a whole number >= 1"),
                                            ({"nginx_log": None}, "nginx_log must be a string")])
def test_bad_configuration_is_refused(traffic, tmp_path, capsys, change, message):
    cfg = {"nginx_log": "", "rsyncd_log": "", "output_dir": str(tmp_path), "geoip_database": "",
           "title": "t", "days": 14}
    cfg.update(change)
    (tmp_path / "traffic.conf").write_text(json.dumps(cfg))
    assert traffic.main(["--check-config", "--config", str(tmp_path / "traffic.conf")]) == 2
    assert message in capsys.readouterr().err

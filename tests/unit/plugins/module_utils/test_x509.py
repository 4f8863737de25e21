# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""module_utils/x509.py against real certificates of a throw-away CA and a TLS server on 127.0.0.1."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import x509

from throwaway_ca import TLSServer, make_ca, make_leaf, pem

HOST = "mirror.example.test"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("x509")
    ca_key, ca_cert = make_ca()
    other_key, other_cert = make_ca("another CA")
    (tmp / "ca.pem").write_bytes(pem(ca_cert))
    (tmp / "other.pem").write_bytes(pem(other_cert))
    leaf_key, leaf = make_leaf(ca_key, ca_cert, [HOST, "*.example.test"], 90)
    (tmp / "leaf.pem").write_bytes(pem(leaf))
    server = TLSServer(tmp, "server", leaf_key, leaf)
    yield {"tmp": tmp, "leaf": leaf, "port": server.port}
    server.stop()


def fetch(pki, **over):
    params = {"host": "127.0.0.1", "port": pki["port"], "server_name": HOST,
              "ca_cert": str(pki["tmp"] / "ca.pem"), "timeout": 5, "valid_at": {}}
    params.update(over)
    return x509.fetch_and_describe(params)


def test_fetch_verifies_the_chain_and_the_name(pki):
    result = fetch(pki)
    assert result["verified"] is True and result["verify_error"] is None
    assert result["name_matches"] is True
    assert result["cert"].startswith("-----BEGIN CERTIFICATE-----")
    assert result["subject_alt_name"] == ["DNS:" + HOST, "DNS:*.example.test"]
    assert result["issuer"] == {"commonName": "mirrorkit test CA"}
    assert result["subject"] == {"commonName": HOST}
    assert result["expired"] is False
    not_after = datetime.datetime.strptime(result["not_after"], x509.ASN1_TIME).replace(tzinfo=datetime.timezone.utc)
    assert 88 <= (not_after - datetime.datetime.now(datetime.timezone.utc)).days <= 90


def test_fetch_with_another_name_reads_the_certificate_but_the_name_does_not_match(pki):
    result = fetch(pki, server_name="other.example.org")
    assert result["verified"] is True
    assert result["name_matches"] is False
    assert "DNS:" + HOST in result["subject_alt_name"]


def test_fetch_wildcard_name_matches(pki):
    assert fetch(pki, server_name="www.example.test")["name_matches"] is True


def test_fetch_against_the_wrong_ca_reports_the_verification_error(pki):
    result = fetch(pki, ca_cert=str(pki["tmp"] / "other.pem"))
    assert result["verified"] is False
    assert "unable to get local issuer certificate" in result["verify_error"]
    # The certificate is read all the same.
    assert result["subject_alt_name"][0] == "DNS:" + HOST


def test_fetch_from_a_closed_port_fails_with_the_address(pki):
    with pytest.raises(x509.CertificateError, match=r"Failed to get cert from 127\.0\.0\.1:1, error: "):
        fetch(pki, port=1)


def test_fetch_with_a_missing_ca_file_fails(pki):
    with pytest.raises(x509.CertificateError, match="ca_cert file .*nothere.pem does not exist"):
        fetch(pki, ca_cert=str(pki["tmp"] / "nothere.pem"))


def test_read_a_file_with_valid_at(pki):
    result = x509.read_and_describe({"path": str(pki["tmp"] / "leaf.pem"),
                                     "valid_at": {"now": "+0s", "in_a_year": "+52w", "last_week": "-7d",
                                                  "fixed": "20000101000000Z"}})
    assert result["valid_at"] == {"now": True, "in_a_year": False, "last_week": False, "fixed": False}
    assert result["subject_alt_name"][0] == "DNS:" + HOST
    assert "cert" not in result


def test_read_content_of_an_expired_certificate():
    ca_key, ca_cert = make_ca()
    result = x509.read_and_describe({"content": pem(make_leaf(ca_key, ca_cert, [HOST], -1)[1]).decode(),
                                     "valid_at": {"now": "+0s"}})
    assert result["expired"] is True and result["valid_at"] == {"now": False}


def test_read_garbage_and_missing_files_fail(tmp_path):
    with pytest.raises(x509.CertificateError, match="not a PEM certificate"):
        x509.read_and_describe({"content": "hello"})
    with pytest.raises(x509.CertificateError, match="cannot read .*missing.pem"):
        x509.read_and_describe({"path": str(tmp_path / "missing.pem")})


def test_bad_time_spec_names_the_value():
    with pytest.raises(x509.CertificateError, match="cannot read the time 'tomorrow'"):
        x509.parse_time("tomorrow", datetime.datetime.now(datetime.timezone.utc))


@pytest.mark.parametrize("host, names, expected", [
    ("mirror.example.org", ["DNS:mirror.example.org"], True),
    ("Mirror.Example.org.", ["DNS:mirror.example.org"], True),
    ("mirror.example.org", ["DNS:*.example.org"], True),
    ("a.mirror.example.org", ["DNS:*.example.org"], False),
    ("example.org", ["DNS:*.example.org"], False),
    ("mirror.example.org", ["IP Address:127.0.0.1", "DNS:x.example.org"], False),
    ("mirror.example.org", [], False),
])
def test_hostname_matches(host, names, expected):
    assert x509.hostname_matches(host, names) is expected

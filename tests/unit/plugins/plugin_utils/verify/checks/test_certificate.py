# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certificate check (plugin_utils/verify/checks/certificate.py); its name matching is
tested with module_utils/x509.py (tests/unit/plugins/module_utils/test_x509.py)."""

from __future__ import annotations

from verify_answers import cert_raw, rows_for


def test_certificate_ok():
    row = rows_for(cert_raw("20270301000000Z"), "certificate")[0]
    assert row["result"] == "ok"
    assert "valid for mirror.example.org, issued by Pebble Intermediate CA, expires 2027-03-01" in row["detail"]


def test_certificate_expiring_soon():
    soon = "20261130000000Z"  # NOW is 2026-11-25
    row = rows_for(cert_raw(soon), "certificate")[0]
    assert row["result"] == "fail"
    assert "days left, fewer than 14" in row["detail"]


def test_certificate_expired():
    row = rows_for(cert_raw("20261101000000Z"), "certificate")[0]
    assert row["detail"] == "expired on 2026-11-01"


def test_certificate_wrong_name():
    row = rows_for(cert_raw("20270301000000Z", names=["DNS:other.example.org"]), "certificate")[0]
    assert row["detail"] == "not valid for mirror.example.org (names: DNS:other.example.org)"


def test_certificate_untrusted_chain():
    msg = "Failed to get cert from 127.0.0.1:58443, error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
    row = rows_for(cert_raw(None, msg=msg), "certificate")[0]
    assert row["result"] == "fail"
    assert "verification against the trusted CAs failed" in row["detail"]
    assert "CERTIFICATE_VERIFY_FAILED" in row["detail"]


def test_certificate_chain_not_verified():
    raw = cert_raw("20270301000000Z")
    raw["certificate"].update(verified=False, verify_error="unable to get local issuer certificate")
    row = rows_for(raw, "certificate")[0]
    assert row["result"] == "fail"
    assert row["detail"] == ("TLS handshake or verification against the trusted CAs failed: "
                             "unable to get local issuer certificate")

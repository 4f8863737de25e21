# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The tls_certificate module end to end, on a certificate of a throw-away CA."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.modules import tls_certificate

from throwaway_ca import make_ca, make_leaf, pem


def test_reads_a_file_in_check_mode(monkeypatch, tmp_path, run_module):
    ca_key, ca_cert = make_ca()
    (tmp_path / "cert.pem").write_bytes(pem(make_leaf(ca_key, ca_cert, ["mirror.example.test"], 30)[1]))
    failed, result = run_module(tls_certificate.main, {"path": str(tmp_path / "cert.pem"), "valid_at": {"now": "+0s"},
                                                       "_ansible_check_mode": True}, monkeypatch)
    assert not failed and result["changed"] is False
    assert result["subject_alt_name"] == ["DNS:mirror.example.test"] and result["valid_at"] == {"now": True}


def test_fails_with_the_reason(monkeypatch, tmp_path, run_module):
    failed, result = run_module(tls_certificate.main, {"path": str(tmp_path / "none.pem")}, monkeypatch)
    assert failed and "cannot read %s" % (tmp_path / "none.pem") in result["msg"]


def test_host_and_path_are_exclusive(monkeypatch, tmp_path, run_module):
    failed, result = run_module(tls_certificate.main, {"host": "127.0.0.1", "port": 1, "path": "/x"}, monkeypatch)
    assert failed and "mutually exclusive" in result["msg"]

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``certificate``: the HTTPS certificate verifies, names the host and is not near expiry.

Collected by roles/gentoo_mirror_verify/tasks/checks/certificate.yml: ``certificate``, the answer
of mirrorkit.gentoo.tls_certificate in fetch mode (the chain checked against the CA bundle, the
names and dates read).
"""

from __future__ import annotations

import datetime

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.x509 import hostname_matches
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import skipped
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, row

CHECK = "certificate"


def _judge(cert, settings, now):
    """(result, detail) of a fetched certificate."""
    hostname = settings.get("hostname")
    if cert.get("failed") or not cert.get("cert") or cert.get("verified") is False:
        return FAIL, "TLS handshake or verification against %s failed: %s" % (
            settings.get("ca_bundle") or "the trusted CAs",
            to_text(cert.get("verify_error") or cert.get("msg") or "no certificate").strip())
    names = cert.get("subject_alt_name") or []
    if not names and (cert.get("subject") or {}).get("commonName"):
        names = ["DNS:" + cert["subject"]["commonName"]]
    if not hostname_matches(hostname, names):
        return FAIL, "not valid for %s (names: %s)" % (hostname, ", ".join(names) or "none")
    try:
        not_after = datetime.datetime.strptime(cert["not_after"], "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except (KeyError, ValueError, TypeError):
        return FAIL, "cannot read the expiry date %r" % cert.get("not_after")
    days = (not_after.timestamp() - float(now)) / 86400.0
    issuer = (cert.get("issuer") or {}).get("commonName") or "unknown issuer"
    text = "valid for %s, issued by %s, expires %s" % (hostname, issuer, not_after.strftime("%Y-%m-%d"))
    if days < 0 or cert.get("expired"):
        return FAIL, "expired on %s" % not_after.strftime("%Y-%m-%d")
    if days < float(settings.get("cert_min_days", 14)):
        return FAIL, "%s: %.1f days left, fewer than %s (renewal not working?)" % (
            text, days, settings.get("cert_min_days", 14))
    return OK, "%s (%.0f days left)" % (text, days)


def judge(raw, settings, now):
    if not settings.get("https"):
        return []
    cert = raw.get("certificate") or {}
    if skipped(cert):
        return [row(CHECK, "https", FAIL, "not checked")]
    return [row(CHECK, "https", *_judge(cert, settings, now))]

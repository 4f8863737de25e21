# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CA bundle the controller trusts, for checks that verify a certificate chain."""

from __future__ import annotations

import os
import ssl

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text


def default_ca_bundle(path=None):
    """``path`` when set, else the CA bundle the controller's Python trusts by default
    (``ssl.get_default_verify_paths()``, then the usual distribution paths)."""
    if path:
        return to_text(path)
    paths = ssl.get_default_verify_paths()
    candidates = [paths.cafile, paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt",
                  "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/ca-bundle.pem"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return candidate
    raise AnsibleFilterError("default_ca_bundle: no CA bundle found on the controller; "
                             "set gentoo_mirror_verify_ca_bundle")

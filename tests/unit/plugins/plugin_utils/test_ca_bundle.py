# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller's CA bundle (plugin_utils/ca_bundle.py)."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.ca_bundle import default_ca_bundle


def test_default_ca_bundle(tmp_path):
    assert default_ca_bundle("/x/ca.pem") == "/x/ca.pem"
    assert default_ca_bundle("")  # some bundle of the controller

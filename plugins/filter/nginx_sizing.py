# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nginx's worker limits for a number of clients, from the one sizing model in
``module_utils/nginx_sizing.py`` (the connection_limits module checks with the same model)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.nginx_sizing import plan_worker_limits


def nginx_sizing(max_connections, http, https, crowd_factor, reserve, open_file_cache_max, hard_nofile=None):
    """``worker_connections`` and the open-files limit for ``max_connections`` clients per protocol."""
    try:
        return plan_worker_limits(max_connections, http, https, crowd_factor, reserve,
                                  open_file_cache_max, hard_nofile)
    except ValueError as exc:
        raise AnsibleFilterError('nginx_sizing: %s' % exc)


class FilterModule:
    """nginx sizing filters."""

    def filters(self):
        return {
            "nginx_sizing": nginx_sizing,
        }

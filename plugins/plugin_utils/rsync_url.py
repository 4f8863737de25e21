# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An rsync daemon source written as a URL, with the login of an accepted mirror."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.rsync_download import with_rsync_user


def rsync_url(source, user=""):
    """An rsync daemon source as ``rsync://[user@]host/module/path``.

    ``host::module/path`` is the same daemon as ``rsync://host/module/path``; the login user is
    put in front of the host unless the source names one already. Other sources (local paths,
    ``host:path`` over SSH) are returned as they are: they are no rsync daemon.
    """
    source = to_text(source)
    user = to_text(user or "")
    if source.startswith("rsync://"):
        rest = source[len("rsync://"):]
    elif "::" in source and not source.startswith("/"):
        rest = source.replace("::", "/", 1)
    else:
        return source
    return with_rsync_user("rsync://" + rest, user)

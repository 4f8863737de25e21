# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Download over HTTP or HTTPS within a time and a byte budget, counting the bytes as they come."""

from __future__ import annotations

import time

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import open_url
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.throughput import MeasureError, Samples

# Bytes asked for per read.
CHUNK = 65536


def download_http(module, url, clock=time.monotonic):
    """Read the body of ``url`` within the budgets; returns (url, samples, stopped_by)."""
    params = module.params
    try:
        response = open_url(
            url, timeout=params['timeout'], validate_certs=params['validate_certs'], ca_path=params['ca_path'],
            headers={'Accept-Encoding': 'identity'}, http_agent='mirrorkit.gentoo.bandwidth',
            follow_redirects='safe')
    except Exception as exc:  # open_url raises many kinds: HTTPError, URLError, SSL, socket
        raise MeasureError('downloading %s failed: %s' % (url, to_native(exc)))
    samples = Samples()
    stopped_by = 'end_of_file'
    start = clock()
    total = 0
    reader = getattr(response, 'read1', None) or response.read
    try:
        while True:
            chunk = reader(CHUNK)
            now = clock() - start
            if not chunk:
                break
            total += len(chunk)
            samples.add(now, total)
            if total >= params['max_bytes']:
                stopped_by = 'max_bytes'
                break
            if now >= params['max_seconds']:
                stopped_by = 'max_seconds'
                break
    except Exception as exc:
        raise MeasureError('reading %s failed after %d bytes: %s' % (url, total, to_native(exc)))
    finally:
        response.close()
    return url, samples, stopped_by

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bandwidth module's request checks, and its verdict on a measured transfer."""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.throughput import measure
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.verdicts import (
    VERDICT_BELOW_MINIMUM,
    VERDICT_BELOW_RECOMMENDED,
    classify,
)

SCHEMES = ('http', 'https', 'rsync')
# The module option that names each threshold classify() reports.
THRESHOLD_OPTIONS = {'minimum': 'min_mbit', 'recommended': 'recommended_mbit'}


def request_problem(params):
    """What is wrong with the budgets or the URL of a request, or None."""
    if params['max_seconds'] <= 0 or params['max_bytes'] <= 0 or params['timeout'] <= 0 \
            or params['warmup_seconds'] < 0:
        return 'max_seconds, max_bytes and timeout must be positive, warmup_seconds not negative'
    if params['warmup_seconds'] >= params['max_seconds']:
        return ('warmup_seconds (%g) must be shorter than max_seconds (%g)'
                % (params['warmup_seconds'], params['max_seconds']))
    if urlsplit(params['url']).scheme.lower() not in SCHEMES:
        return 'url must start with http://, https:// or rsync://, not %r' % params['url']
    return None


def describe(result):
    """One sentence: the figure, the window it was measured over, and the verdict."""
    minimum = '%g Mbit/s' % result['min_mbit']
    recommended = '%g Mbit/s' % result['recommended_mbit']
    head = 'Measured %.2f Mbit/s from %s over %.2f s' % (
        result['measured_mbit'], result['url'], result['window_seconds'])
    if result['warmup_discarded']:
        head += ' (after a %.2f s warm-up)' % result['warmup_seconds']
    else:
        head += ' (too short to leave out a warm-up)'
    if result['verdict'] == VERDICT_BELOW_MINIMUM:
        return head + (': below the minimum of %s (min_mbit) that a Gentoo source mirror needs'
                       % minimum)
    if result['verdict'] == VERDICT_BELOW_RECOMMENDED:
        return head + (': below the recommended %s (recommended_mbit), above the minimum of %s'
                       % (recommended, minimum))
    return head + ': meets the recommended %s' % recommended


def judge(result, samples, params):
    """Put the figures of ``samples``, the verdict, the threshold and the message into ``result``.

    Returns the warnings to give, in order; ``result['verdict']`` below the minimum means the
    module fails.
    """
    figures = measure(samples.points, params['warmup_seconds'])
    result.update(figures)
    result.update(bytes=samples.total_bytes, seconds=round(samples.total_seconds, 3))
    if figures['measured_mbit'] is None:
        result.update(verdict=VERDICT_BELOW_MINIMUM, threshold='min_mbit',
                      msg='no data received from %s within %g s' % (result['url'], params['max_seconds']))
        return []
    result['verdict'], which = classify(figures['measured_mbit'], params['min_mbit'], params['recommended_mbit'])
    result['threshold'] = THRESHOLD_OPTIONS.get(which)
    result['msg'] = describe(result)
    warnings = []
    if not figures['warmup_discarded']:
        warnings.append('the transfer from %s ended after %.2f s, too short to leave out a warm-up; '
                        'point url at a larger file for a reliable figure' % (result['url'], samples.total_seconds))
    if result['verdict'] == VERDICT_BELOW_RECOMMENDED:
        warnings.append(result['msg'])
    return warnings

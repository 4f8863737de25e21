# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection_limits module's verdict: each protocol's capacity and probe against the
minimum and the recommendation, in sentences that name what limits it."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.verdicts import (
    VERDICT_BELOW_MINIMUM,
    VERDICT_BELOW_RECOMMENDED,
    VERDICT_OK,
    classify,
    worst,
)


def describe(label, figures):
    """'HTTP (nginx) takes 11 concurrent clients, limited by worker_connections 12 in FILE line 3'."""
    limiting = figures['limiting'] or {}
    if figures['capacity'] is None:
        return '%s takes any number of concurrent clients (%s)' % (label, limiting.get('explanation', 'no limit'))
    where = ''
    if limiting.get('file'):
        where = ' in %s%s' % (limiting['file'], ' line %d' % limiting['line'] if limiting.get('line') else '')
    elif limiting.get('default'):
        where = " (nginx's built-in default)"
    value = limiting.get('value')
    setting = '%s %s' % (limiting.get('directive'), value) if limiting.get('directive') != 'max connections' \
        else 'max connections = %s' % value
    if limiting.get('module'):
        setting += ' for module [%s]' % limiting['module']
    text = '%s takes %d concurrent clients, limited by %s%s' % (label, figures['capacity'], setting, where)
    if limiting.get('directive') != 'max connections' or limiting.get('value', 0) <= 0:
        text += ' (%s)' % limiting.get('explanation', '')
    return text


class Judgement(object):
    """Collects, protocol by protocol, the failures and the notes of one run.

    ``warn`` is called at once for each note that warns (the module's warn()).
    """

    def __init__(self, min_connections, recommended_connections, warn):
        self.min_connections = min_connections
        self.recommended_connections = recommended_connections
        self.warn = warn
        self.failures = []
        self.notes = []
        self.verdicts = []

    def _note(self, text, warns=False):
        self.notes.append(text)
        if warns:
            self.warn(text)

    def capacity(self, label, figures):
        """Classify the capacity in ``figures`` (sets its ``verdict``) and describe it."""
        figures['verdict'], dummy_threshold = classify(figures['capacity'], self.min_connections,
                                                       self.recommended_connections)
        self.verdicts.append(figures['verdict'])
        text = describe(label, figures)
        if figures['verdict'] == VERDICT_BELOW_MINIMUM:
            self.failures.append('%s; below the minimum of %d (min_connections)' % (text, self.min_connections))
        elif figures['verdict'] == VERDICT_BELOW_RECOMMENDED:
            self._note('%s; below the recommended %d (recommended_connections)'
                       % (text, self.recommended_connections), warns=True)
        else:
            self._note(text)

    def probe(self, name, result, count):
        """Judge a live probe of ``count`` connections (sets its ``verdict``): fewer served than
        the minimum (or than ``count`` when smaller) fails, fewer than ``count`` warns."""
        text = ('%s probe: %d of %d concurrent connections served in %.2f s'
                % (name, result['served'], result['attempted'], result['seconds']))
        required = min(count, self.min_connections)
        if result['served'] < required:
            result['verdict'] = VERDICT_BELOW_MINIMUM
            self.failures.append('%s, fewer than the %d required (%s)' % (
                text, required,
                result['sample_refusal'] or result['sample_error'] or '%d unanswered' % result['unanswered']))
        else:
            result['verdict'] = VERDICT_BELOW_RECOMMENDED if result['served'] < count else VERDICT_OK
            self._note(text, warns=result['served'] < count)

    @property
    def verdict(self):
        """The worst verdict over the protocols; below the minimum whenever anything failed."""
        overall = worst(self.verdicts) if self.verdicts else VERDICT_OK
        return VERDICT_BELOW_MINIMUM if self.failures else overall

    @property
    def msg(self):
        return '; '.join(self.failures + self.notes)

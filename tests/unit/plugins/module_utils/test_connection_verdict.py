# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import connection_verdict

NGINX = {'capacity': 11, 'limiting': {'directive': 'worker_connections', 'value': 12,
                                      'file': '/etc/nginx/nginx.conf', 'line': 3, 'default': False,
                                      'explanation': '1 worker process x (worker_connections 12 - 1 listening socket)'}}
RSYNC = {'capacity': 20, 'limiting': {'directive': 'max connections', 'value': 20, 'module': 'gentoo',
                                      'file': '/etc/rsyncd.conf', 'line': 4, 'explanation': 'x'}}


def test_describe_names_the_directive_and_where():
    assert connection_verdict.describe('HTTP (nginx)', NGINX) == (
        'HTTP (nginx) takes 11 concurrent clients, limited by worker_connections 12 in /etc/nginx/nginx.conf '
        'line 3 (1 worker process x (worker_connections 12 - 1 listening socket))')
    assert connection_verdict.describe('rsync (rsyncd)', RSYNC) == (
        'rsync (rsyncd) takes 20 concurrent clients, limited by max connections = 20 for module [gentoo] '
        'in /etc/rsyncd.conf line 4')
    unlimited = {'capacity': None, 'limiting': {'explanation': 'max connections is not set: no limit'}}
    assert connection_verdict.describe('rsync (rsyncd)', unlimited) == (
        'rsync (rsyncd) takes any number of concurrent clients (max connections is not set: no limit)')


def test_judgement_fails_below_minimum_and_warns_below_recommended():
    warnings = []
    judgement = connection_verdict.Judgement(15, 30, warnings.append)
    http, rsync = dict(NGINX), dict(RSYNC)
    judgement.capacity('HTTP (nginx)', http)
    judgement.capacity('rsync (rsyncd)', rsync)
    assert (http['verdict'], rsync['verdict']) == ('below_minimum', 'below_recommended')
    assert judgement.verdict == 'below_minimum'
    assert judgement.failures[0].endswith('; below the minimum of 15 (min_connections)')
    assert warnings == [judgement.notes[0]] and 'below the recommended 30' in warnings[0]
    assert judgement.msg == '; '.join(judgement.failures + judgement.notes)


def test_judgement_of_probes():
    warnings = []
    judgement = connection_verdict.Judgement(15, 30, warnings.append)
    served = {'served': 30, 'attempted': 30, 'seconds': 0.5}
    judgement.probe('http', served, 30)
    assert judgement.verdict == 'ok' and not warnings
    assert served['verdict'] == 'ok'
    partly = dict(served, served=20)
    judgement.probe('rsync', partly, 30)
    assert warnings == ['rsync probe: 20 of 30 concurrent connections served in 0.50 s']
    assert partly['verdict'] == 'below_recommended'
    refused = dict(served, served=10, sample_refusal='@ERROR: max connections (10) reached -- try again later',
                   sample_error=None, unanswered=0)
    judgement.probe('rsync', refused, 30)
    assert judgement.verdict == 'below_minimum'
    assert refused['verdict'] == 'below_minimum'
    assert judgement.failures == ['rsync probe: 10 of 30 concurrent connections served in 0.50 s, fewer than '
                                  'the 15 required (@ERROR: max connections (10) reached -- try again later)']

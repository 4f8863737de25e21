# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import bandwidth_verdict, throughput


def test_bandwidth_describe():
    result = {'min_mbit': 5.0, 'recommended_mbit': 100.0, 'measured_mbit': 1.91, 'url': 'http://m/x',
              'window_seconds': 9.0, 'warmup_discarded': True, 'warmup_seconds': 1.0,
              'verdict': 'below_minimum'}
    assert bandwidth_verdict.describe(result) == ('Measured 1.91 Mbit/s from http://m/x over 9.00 s (after a 1.00 s '
                                                  'warm-up): below the minimum of 5 Mbit/s (min_mbit) that a Gentoo '
                                                  'source mirror needs')
    result.update(verdict='below_recommended', measured_mbit=19.2)
    assert bandwidth_verdict.describe(result).endswith('below the recommended 100 Mbit/s (recommended_mbit), '
                                                       'above the minimum of 5 Mbit/s')


PARAMS = {'url': 'http://m/x', 'max_seconds': 10, 'max_bytes': 1 << 30, 'timeout': 10, 'warmup_seconds': 1,
          'min_mbit': 5.0, 'recommended_mbit': 100.0}


def test_request_problem():
    assert bandwidth_verdict.request_problem(PARAMS) is None
    assert bandwidth_verdict.request_problem(dict(PARAMS, timeout=0)) == (
        'max_seconds, max_bytes and timeout must be positive, warmup_seconds not negative')
    assert bandwidth_verdict.request_problem(dict(PARAMS, warmup_seconds=10)) == (
        'warmup_seconds (10) must be shorter than max_seconds (10)')
    assert 'http://, https:// or rsync://' in bandwidth_verdict.request_problem(dict(PARAMS, url='ftp://m/x'))


def test_judge_sets_verdict_threshold_and_message():
    samples = throughput.Samples()
    for second in range(1, 11):
        samples.add(second, second * 2500000)  # 20 Mbit/s
    result = {'url': 'http://m/x', 'min_mbit': 5.0, 'recommended_mbit': 100.0}
    warnings = bandwidth_verdict.judge(result, samples, PARAMS)
    assert result['verdict'] == 'below_recommended' and result['threshold'] == 'recommended_mbit'
    assert result['measured_mbit'] == 20.0 and result['bytes'] == 25000000 and result['seconds'] == 10.0
    assert warnings == [result['msg']] and result['msg'].startswith('Measured 20.00 Mbit/s from http://m/x')


def test_judge_without_data_is_below_minimum():
    result = {'url': 'http://m/x', 'min_mbit': 5.0, 'recommended_mbit': 100.0}
    assert bandwidth_verdict.judge(result, throughput.Samples(), PARAMS) == []
    assert result['verdict'] == 'below_minimum' and result['threshold'] == 'min_mbit'
    assert result['msg'] == 'no data received from http://m/x within 10 s'

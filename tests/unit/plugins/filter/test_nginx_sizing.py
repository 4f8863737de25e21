# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nginx_sizing filter: the sizing model of module_utils/nginx_sizing.py, as the role calls it."""

from __future__ import annotations

import json
import pathlib
import re

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.mirrorkit.gentoo.plugins.filter import nginx_sizing
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.nginx_sizing import plan_worker_limits

DOC = pathlib.Path(nginx_sizing.__file__).with_suffix('.yml')
# As the role calls it: the role's defaults, PID 1's hard limit as /proc/1/limits gives it.
ROLE_CALL = dict(http=True, https=True, crowd_factor=32, reserve=64, open_file_cache_max=1000,
                 hard_nofile='unlimited')


def test_filter_is_registered_under_its_name():
    assert nginx_sizing.FilterModule().filters() == {'nginx_sizing': nginx_sizing.nginx_sizing}


def test_filter_returns_the_model_plan():
    assert nginx_sizing.nginx_sizing(30, **ROLE_CALL) == plan_worker_limits(30, True, True, 32, 64, 1000, 'unlimited')
    low_limit = dict(ROLE_CALL)
    low_limit['hard_nofile'] = '1300'
    low = nginx_sizing.nginx_sizing(30, **low_limit)
    assert low == {'nofile': 1300, 'worker_connections': 118, 'wanted_connections': 124, 'capped': True}


def test_filter_without_hard_limit_counts_it_unlimited():
    args = dict(ROLE_CALL)
    del args['hard_nofile']
    assert nginx_sizing.nginx_sizing(30, **args) == nginx_sizing.nginx_sizing(30, **ROLE_CALL)


def test_filter_bad_input_is_a_filter_error_naming_the_value():
    bad = dict(ROLE_CALL)
    bad['crowd_factor'] = 'x'
    with pytest.raises(AnsibleFilterError, match="nginx_sizing: crowd_factor must be a whole number, not 'x'"):
        nginx_sizing.nginx_sizing(30, **bad)


def test_documented_example_result_is_what_the_filter_returns():
    doc = yaml.safe_load(DOC.read_text())
    example = doc['EXAMPLES']
    documented = json.loads(re.search(r'# (\{.*\})', example).group(1))
    assert documented == nginx_sizing.nginx_sizing(30, **ROLE_CALL)
    assert set(doc['RETURN']['_value']['contains']) == set(documented)
    assert set(doc['DOCUMENTATION']['options']) - {'_input'} == set(ROLE_CALL)

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one nginx sizing model: the role's plan (checked against the Jinja it replaces) and the
capacity check of a live configuration."""

from __future__ import annotations

import itertools

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible_collections.mirrorkit.gentoo.plugins.module_utils import nginx_conf, nginx_sizing

# The nginx role's sizing as it was written in Jinja (roles/gentoo_mirror_nginx/tasks/facts.yml,
# before the role called the nginx_sizing filter), kept verbatim as the reference the Python
# model must reproduce. _hard_nofile stands for what the role read from /proc/1/limits.
JINJA_SIZING = {
    '_wanted_conn': """{{ (gentoo_mirror_max_connections | int) * (2 if (gentoo_mirror_https | bool and gentoo_mirror_http | bool) else 1)
   + (gentoo_mirror_nginx_reserve | int) }}""",
    '_slots': "{{ [(gentoo_mirror_nginx_crowd_factor | int) * (_wanted_conn | int), 65536] | min }}",
    '_wanted_nofile': """{{ (_slots | int) + (_wanted_conn | int) + (gentoo_mirror_nginx_open_file_cache_max | int)
   + (gentoo_mirror_nginx_reserve | int) }}""",
    '_ceiling': "{{ 1048576 if _hard_nofile == 'unlimited' else _hard_nofile | int }}",
    '_nofile': "{{ [_wanted_nofile | int, _ceiling | int] | min }}",
    '_spare': "{{ (_nofile | int) - (gentoo_mirror_nginx_open_file_cache_max | int) - (gentoo_mirror_nginx_reserve | int) }}",
    '_worker_connections': "{{ [_slots | int, [(_spare | int) - (_wanted_conn | int), (_spare | int) // 2] | max] | min }}",
}
# The facts the role set from them, in one expression.
JINJA_FACTS = ("{{ {'nofile': _nofile | int, 'worker_connections': _worker_connections | int,"
               " 'wanted_connections': _wanted_conn | int,"
               " 'capped': (_worker_connections | int) < (_wanted_conn | int)} }}")

TEMPLAR = Templar(loader=DataLoader())


def jinja_sizing(max_connections, http, https, crowd_factor, reserve, open_file_cache_max, hard_nofile):
    """The Jinja above rendered by Ansible's templar. Each variable is rendered once, in order
    (the role's task vars are rendered lazily, each time they are used: the same values, as
    the expressions only read their inputs)."""
    variables = dict(
        gentoo_mirror_max_connections=max_connections, gentoo_mirror_http=http, gentoo_mirror_https=https,
        gentoo_mirror_nginx_crowd_factor=crowd_factor, gentoo_mirror_nginx_reserve=reserve,
        gentoo_mirror_nginx_open_file_cache_max=open_file_cache_max, _hard_nofile=hard_nofile)
    for name, expr in JINJA_SIZING.items():
        TEMPLAR.available_variables = variables
        variables = dict(variables, **{name: TEMPLAR.template(trust_as_template(expr))})
    TEMPLAR.available_variables = variables
    return TEMPLAR.template(trust_as_template(JINJA_FACTS))


# The role's defaults (30 clients, factor 32, reserve 64, cache 1000) and values around them;
# hard limits from unlimited down to ones that cap the crowd and then the clients served.
GRID = list(itertools.product(
    [1, 30, 5000],                                          # max_connections
    [(True, True), (True, False), (False, False)],          # http, https
    [1, 32],                                                # crowd_factor
    [(0, 0), (64, 1000)],                                   # reserve, open_file_cache_max
    ['unlimited', '1048576', 65536, '4096', 1024, 300],     # PID 1's hard nofile
))


def test_plan_reproduces_the_role_jinja_over_a_grid():
    for max_conn, (http, https), crowd, (reserve, cache), hard in GRID:
        python = nginx_sizing.plan_worker_limits(max_conn, http, https, crowd, reserve, cache, hard)
        jinja = jinja_sizing(max_conn, http, https, crowd, reserve, cache, hard)
        assert python == jinja, (max_conn, http, https, crowd, reserve, cache, hard)


def test_plan_with_the_role_defaults():
    limits = nginx_sizing.plan_worker_limits(30, True, True, 32, 64, 1000, 'unlimited')
    # 2 x 30 + 64 = 124 wanted; 32 x 124 = 3968 slots; 3968 + 124 + 1000 + 64 = 5156 descriptors
    assert limits == {'nofile': 5156, 'worker_connections': 3968, 'wanted_connections': 124, 'capped': False}
    assert limits == jinja_sizing(30, True, True, 32, 64, 1000, 'unlimited')


def test_plan_under_a_low_hard_limit():
    # 1024: the crowd's room shrinks first (1024 - 1000 - 64 < 0 spare descriptors -> capped)
    low = nginx_sizing.plan_worker_limits(30, True, True, 32, 64, 1000, 1024)
    assert low == jinja_sizing(30, True, True, 32, 64, 1000, 1024)
    assert low['nofile'] == 1024 and low['capped']
    # 2000: spare 936 -> 936 - 124 = 812 slots, still more than the 124 clients
    mid = nginx_sizing.plan_worker_limits(30, True, True, 32, 64, 1000, '2000')
    assert mid == {'nofile': 2000, 'worker_connections': 812, 'wanted_connections': 124, 'capped': False}
    # 1300: spare 236 -> max(112, 118) = 118 slots < 124: capped, two descriptors per client
    capped = nginx_sizing.plan_worker_limits(30, True, True, 32, 64, 1000, 1300)
    assert capped['worker_connections'] == 118 and capped['capped']
    assert capped == jinja_sizing(30, True, True, 32, 64, 1000, 1300)


def test_plan_slot_cap_and_unknown_hard_limit():
    big = nginx_sizing.plan_worker_limits(5000, True, True, 32, 64, 1000, None)
    assert big['worker_connections'] == nginx_sizing.MAX_WORKER_CONNECTIONS
    assert big == nginx_sizing.plan_worker_limits(5000, True, True, 32, 64, 1000, 'unlimited')
    assert big['nofile'] == 65536 + 10064 + 1000 + 64


def test_plan_rejects_what_is_not_a_number():
    with pytest.raises(ValueError, match="max_connections must be a whole number, not 'many'"):
        nginx_sizing.plan_worker_limits('many', True, True, 32, 64, 1000, 'unlimited')
    with pytest.raises(ValueError, match='hard_nofile must be a whole number'):
        nginx_sizing.plan_worker_limits(30, True, True, 32, 64, 1000, 'lots')
    with pytest.raises(ValueError, match="https must be a boolean, not 'perhaps'"):
        nginx_sizing.plan_worker_limits(30, True, 'perhaps', 32, 64, 1000, 'unlimited')
    # strings as Jinja hands them over are numbers all the same
    assert nginx_sizing.plan_worker_limits('30', 'yes', 'no', '32', '64', '1000', '65536') == \
        nginx_sizing.plan_worker_limits(30, True, False, 32, 64, 1000, 65536)


def test_one_descriptor_budget_for_plan_and_check():
    """The check counts a worker's descriptors as the plan does: the plan's lower bound of slots
    is the check's open-files bound with the role's reserve and no listening sockets."""
    assert nginx_sizing.descriptors_left(1300, 1000, 64) == 236
    assert nginx_sizing.clients_within(236) == 118
    assert nginx_sizing.descriptors_left(1024, 0, nginx_sizing.WORKER_OWN_FDS, listening=3) == 1011
    assert nginx_sizing.clients_within(1011) == 505


def test_capacity_limited_by_open_files(debian_nginx_dump):
    s = nginx_conf.summarize(nginx_conf.load(debian_nginx_dump))
    nofile = {'value': 1024, 'source': 'running nginx, pid 7', 'file': '/usr/lib/systemd/system/nginx.service',
              'directive': 'LimitNOFILE'}
    c = nginx_sizing.capacity(s, nproc=2, nofile=nofile, file_max=9223372036854775807)
    # per worker: min(768 - 3, (1024 - 3 - 10) // 2 = 505)
    assert c['workers'] == 2 and c['capacity'] == 500
    # ... but limit_conn perserver 500 is lower than 2 x 505 = 1010
    assert c['limiting']['directive'] == 'limit_conn'
    fd = [x for x in c['candidates'] if x['directive'] == 'LimitNOFILE'][0]
    assert fd['capacity'] == 1010 and fd['file'] == '/usr/lib/systemd/system/nginx.service'


def test_capacity_limited_by_worker_connections(nginx_dump):
    text = nginx_dump('worker_processes 1;\nevents {\n  worker_connections 12;\n}\nhttp { server { listen 80; } }\n')
    c = nginx_sizing.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=8,
                              nofile={'value': 1024, 'source': 'x'})
    assert c['capacity'] == 11
    assert c['limiting']['directive'] == 'worker_connections'
    assert (c['limiting']['file'], c['limiting']['line']) == ('/etc/nginx/nginx.conf', 3)
    assert c['limiting']['explanation'] == '1 worker process x (worker_connections 12 - 1 listening socket)'


def test_capacity_defaults_and_worker_rlimit_nofile(nginx_dump):
    text = nginx_dump('worker_processes 4;\nworker_rlimit_nofile 40;\nevents {}\nhttp { server { } }\n')
    c = nginx_sizing.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=1,
                              nofile={'value': 100000, 'source': 'ignored'})
    # server without listen -> *:80; (40 - 1 - 10) // 2 = 14 per worker
    assert c['listen_sockets'] == ['*:80']
    assert c['capacity'] == 56
    assert c['limiting']['directive'] == 'worker_rlimit_nofile' and c['limiting']['line'] == 2
    text = nginx_dump('events {}\nhttp { server { listen 80; } }\n')
    c = nginx_sizing.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=3)
    assert c['worker_connections'] == 512 and c['workers'] == 1
    assert c['limiting']['default'] and c['limiting']['file'] is None
    assert c['capacity'] == 511 and c['nofile'] is None


def test_capacity_file_max(nginx_dump):
    text = nginx_dump('events { worker_connections 4096; }\nhttp { server { listen 80; } }\n')
    c = nginx_sizing.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=1, file_max=100)
    assert c['capacity'] == 50 and c['limiting']['directive'] == 'fs.file-max'


def test_open_file_cache_counts_against_open_files(nginx_dump):
    text = nginx_dump('worker_processes 2;\nworker_rlimit_nofile 3192;\nevents { worker_connections 1064; }\n'
                      'http {\n  open_file_cache max=1000 inactive=60s;\n  server { listen 80; '
                      'location /x { open_file_cache off; } }\n}\n')
    s = nginx_conf.summarize(nginx_conf.load(text))
    assert s['open_file_cache'] == {'file': '/etc/nginx/nginx.conf', 'line': 5, 'value': 1000}
    c = nginx_sizing.capacity(s, nproc=1)
    # connections: 1064 - 1 = 1063; descriptors: (3192 - 1 - 10 - 1000) // 2 = 1090
    assert c['open_file_cache'] == 1000
    assert c['capacity'] == 2 * 1063 and c['limiting']['directive'] == 'worker_connections'
    fd = [x for x in c['candidates'] if x['directive'] == 'worker_rlimit_nofile'][0]
    assert fd['per_worker'] == 1090 and '- 1000 open_file_cache' in fd['explanation']

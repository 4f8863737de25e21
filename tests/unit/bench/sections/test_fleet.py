# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet section's inventories, case selection and the sentences its page derives from the
figures (tests/bench/sections/fleet.py). The 1- and 3-host figures are those section 4 measured."""

from __future__ import annotations

import json
import os
import sys

import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bench'))

from environment import UPSTREAM, UPSTREAM_URL, Environment  # noqa: E402  pylint: disable=wrong-import-position
from harness import CommandFailed, summary  # noqa: E402  pylint: disable=wrong-import-position
from page import Page  # noqa: E402  pylint: disable=wrong-import-position
from sections import fleet  # noqa: E402  pylint: disable=wrong-import-position


def row(name, forks, fresh, again, changed=(0, 0), date='2026-12-03 18:00 UTC'):
    mirrors = 4 if name == fleet.TIERED else int(name)
    return {'fleet': name, 'mirrors': mirrors, 'forks': forks, 'fresh': summary([fresh]), 'again': summary(again),
            'changed': list(changed), 'date': date}


ROWS = [row('1', 5, 67.8, [29.3, 27.3]), row('1', 12, 70.1, [28.0, 29.9]),
        row('3', 5, 151.0, [79.7, 65.4]), row('3', 12, 146.0, [74.0, 81.0]),
        row('6', 5, 330.0, [170.0, 160.0]), row('6', 12, 250.0, [120.0, 125.0])]


def test_cases_are_chosen_in_the_order_a_short_run_needs_and_a_typo_is_named():
    assert fleet.wanted_cases('') == list(fleet.MEASURE_ORDER)
    assert sorted(fleet.wanted_cases('')) == sorted((f, k) for f in fleet.FLEETS for k in fleet.FORKS)
    assert fleet.wanted_cases(' 3, 1+3@5,6@12') == [('1+3', 5), ('6', 12), ('3', 5), ('3', 12)]
    with pytest.raises(CommandFailed, match='12.*allowed: a fleet \\(1, 3, 6, 1\\+3\\), optionally @forks \\(5, 12\\)'):
        fleet.wanted_cases('6,12')
    with pytest.raises(CommandFailed, match='unknown case 6@7'):
        fleet.wanted_cases('6@7')


def test_the_tiered_inventory_gives_the_upstream_to_tier_one_only(tmp_path):
    path = tmp_path / 'inv.yml'
    Environment.write_inventory(path, fleet.fleet_hosts(fleet.TIERED), tiers=fleet.tiered_layout())
    mirrors = yaml.safe_load(path.read_text())['all']['children']['gentoo_mirrors']
    tier1 = mirrors['children']['gentoo_mirrors_tier1']['hosts']
    tier2 = mirrors['children']['gentoo_mirrors_tier2']['hosts']
    assert tier1 == {'bench-t1.example.test': {'gentoo_mirror_downstream_group': 'gentoo_mirrors_tier2',
                                               'gentoo_mirror_upstream': UPSTREAM_URL}}
    assert sorted(tier2) == ['bench-t2.example.test', 'bench-t3.example.test', 'bench-t4.example.test']
    assert all(v == {} for v in tier2.values())
    assert 'gentoo_mirror_upstream' not in mirrors['vars'] and 'hosts' not in mirrors
    assert mirrors['vars']['gentoo_mirror_initial_sync'] == 'wait'


def test_a_flat_inventory_keeps_the_upstream_for_every_mirror(tmp_path):
    path = tmp_path / 'inv.yml'
    Environment.write_inventory(path, fleet.fleet_hosts('6'))
    inv = yaml.safe_load(path.read_text())['all']['children']
    assert list(inv['upstream']['hosts']) == [UPSTREAM]
    assert list(inv['gentoo_mirrors']['hosts']) == ['bench-f%d.example.test' % i for i in range(1, 7)]
    assert inv['gentoo_mirrors']['vars']['gentoo_mirror_upstream'] == 'rsync://bench-upstream/gentoo/'


def test_the_tiered_case_runs_only_on_a_collection_that_documents_tiers(tmp_path):
    roles = tmp_path / 'ansible_collections' / 'mirrorkit' / 'gentoo' / 'roles'
    spec = roles / 'gentoo_mirror' / 'meta' / 'argument_specs.yml'
    spec.parent.mkdir(parents=True)
    spec.write_text('argument_specs:\n  main:\n    options:\n      gentoo_mirror_upstream:\n        type: str\n')
    assert not fleet.collection_has_tiers('/nonexistent:%s' % tmp_path)
    spec.write_text(spec.read_text() + '      gentoo_mirror_downstream_group:\n        type: str\n')
    assert fleet.collection_has_tiers('/nonexistent:%s' % tmp_path)


def test_rows_of_an_earlier_run_are_kept_by_fleet_and_forks(tmp_path):
    saved = tmp_path / fleet.CASES_FILE
    assert not fleet.previous_cases(saved)
    saved.write_text('{"truncated": ')
    assert not fleet.previous_cases(saved)
    fleet.save_cases(saved, {(r['fleet'], r['forks']): r for r in reversed(ROWS)})
    assert json.loads(saved.read_text())['cases'] == ROWS
    kept = fleet.previous_cases(saved)
    assert sorted(kept) == [('1', 5), ('1', 12), ('3', 5), ('3', 12), ('6', 5), ('6', 12)]
    assert fleet.ordered(kept) == ROWS


def test_growth_is_read_from_one_mirror_to_the_largest_flat_fleet():
    text = fleet.growth_sentence(ROWS)
    assert text.startswith('At forks 5, a fresh converge of 6 mirrors took 330 s against 67.8 s for 1 (4.9×')
    assert '55.0 s per mirror instead of 67.8, each further mirror adding 52.4 s' in text
    assert 'a no-change run of 6 mirrors took 165 s against 28.3 s for 1 (5.8×' in text
    assert fleet.growth_sentence(ROWS[:2]) == ''


def test_forks_are_judged_against_the_noise_of_the_fleets_they_cannot_change():
    text = fleet.forks_sentence(ROWS, 2)
    # 3 mirrors: fresh -3 %, no-change +7 %; 1 mirror: +3 %, +2 %.
    assert 'raising them moved the figures by up to 7 %' in text
    assert 'changed the fresh converge by -24 % and the no-change run by -26 %' in text
    assert 'on this 2-core machine raising forks buys 26 % of the wall time' in text
    same = ROWS[:5] + [row('6', 12, 320.0, [160.0, 168.0])]
    assert 'raising forks buys nothing beyond that noise' in fleet.forks_sentence(same, 2)
    assert 'not shown' in fleet.forks_sentence([r for r in ROWS if r['forks'] == 5], 2)
    slower = ROWS[:5] + [row('6', 12, 400.0, [200.0, 210.0])]
    assert 'raising forks costs 21 % more wall time' in fleet.forks_sentence(slower, 2)


def test_the_tiered_fleet_is_set_against_the_flat_fleets_measured():
    rows = ROWS + [row('1+3', 5, 240.0, [100.0, 104.0])]
    assert fleet.tiered_sentence(ROWS) == ''
    text = fleet.tiered_sentence(rows)
    assert 'fresh converge cost 60.0 s per mirror (flat fleets: 67.8 s for 1 and 50.3 s for 3 and 55.0 s for 6;' in text
    assert 'its no-change run 25.5 s per mirror (flat: 28.3 s for 1 and 24.2 s for 3 and 27.5 s for 6)' in text
    assert '50.3 s for 3' not in fleet.tiered_sentence([r for r in rows if r['fleet'] != '3'])


def test_the_table_dates_rows_of_other_runs_and_names_a_case_not_run():
    rows = ROWS + [dict(row('1+3', 5, 240.0, [100.0, 104.0], changed=(0, 1), date='2026-12-03 19:00 UTC'), load='9.1 7.0 5.2'),
                   {'fleet': '1+3', 'mirrors': 4, 'forks': 12, 'absent': 'no tiers yet'}]
    page = Page({'meta': {'date': 'now'}}, False, None, '')
    fleet.report(page, {'cases': rows, 'cpus': 2, 'date': 'now', 'load': '1 1 1', 'took': 1})
    text = '\n'.join(page.lines)
    assert '| 6 | 12 | 250 | 122 (120–125) | 0, 0 | 41.7 / 20.4 | 2026-12-03 18:00 UTC |' in text
    assert '| 1+3 tiered | 5 (default) | 240 | 102 (100–104) | 0, 1 | 60.0 / 25.5 | 2026-12-03 19:00 UTC, load 9.1 7.0 5.2 |' in text
    assert '| 1+3 tiered | 12 | — | — | — | — (no tiers yet) | — |' in text
    assert 'in every fleet: **not met**' in text
    page = Page({'meta': {'date': 'now'}}, False, None, '')
    fleet.report(page, {'cases': ROWS, 'cpus': 2, 'date': 'now', 'load': '1 1 1', 'took': 1})
    text = '\n'.join(page.lines)
    assert '| 6 | 12 | 250 | 122 (120–125) | 0, 0 | 41.7 / 20.4 |\n' in text + '\n'
    assert 'in every fleet: **met**' in text

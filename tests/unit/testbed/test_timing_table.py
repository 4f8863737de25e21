# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table `make test` ends with: step.sh records each step, timing_table.py prints them."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

TESTBED = pathlib.Path(__file__).resolve().parents[3] / 'tests' / 'testbed'
sys.path.insert(0, str(TESTBED))

import timing_table  # noqa: E402  pylint: disable=wrong-import-position

RECORDED = ('venv\t0\tok\nimages/bookworm\t3\tok\nunit\t9\tok\n'
            'molecule/default\t271\tok\nmolecule/fleet\t277\tFAILED\nmolecule\t548\tFAILED\n')


def step(tmp_path, *argv, times=True):
    env = dict(os.environ)
    env.pop('MIRRORKIT_TEST_TIMES', None)
    if times:
        env['MIRRORKIT_TEST_TIMES'] = str(tmp_path / 'times.tsv')
    return subprocess.run([str(TESTBED / 'step.sh'), *argv], env=env, capture_output=True, text=True, check=False)


def test_step_records_its_name_time_and_result(tmp_path):
    assert step(tmp_path, '--name', 'unit', 'a step that passes', 'true').returncode == 0
    assert step(tmp_path, '--name', 'molecule/default', 'a step that fails', 'sh', '-c', 'exit 3').returncode == 3
    assert step(tmp_path, '--name', 'lint', 'a step of two seconds', 'sleep', '2').returncode == 0
    recorded = timing_table.parse((tmp_path / 'times.tsv').read_text())
    assert [(name, result) for name, dummy, result in recorded] == [
        ('unit', 'ok'), ('molecule/default', 'FAILED'), ('lint', 'ok')]
    # Whole seconds from `date +%s`: an instant step may cross a second's boundary.
    seconds = [took for dummy, took, dummy in recorded]
    assert seconds[0] in (0, 1) and seconds[1] in (0, 1) and seconds[2] in (2, 3)


def test_step_without_a_name_or_a_file_records_nothing(tmp_path):
    assert step(tmp_path, 'a step of make demo', 'true').returncode == 0
    assert not (tmp_path / 'times.tsv').exists()
    assert step(tmp_path, '--name', 'unit', 'outside make test', 'true', times=False).returncode == 0
    assert not (tmp_path / 'times.tsv').exists()


def test_parse_skips_broken_lines():
    assert timing_table.parse('unit\t9\tok\nhalf a line\nlint\tx\tok\n') == [('unit', 9, 'ok')]


def test_table_lists_parts_under_their_step_and_counts_them_once():
    lines = timing_table.format_table(timing_table.parse(RECORDED), wall=600).splitlines()
    names = [re.match(r'\s*\S+', line).group(0) for line in lines[1:6]]
    # The molecule step first, its scenarios indented under it, in the order they ran.
    assert names == ['venv', 'images/bookworm', 'unit', 'molecule', '  molecule/default']
    assert lines[6].startswith('  molecule/fleet') and lines[6].endswith('FAILED')
    assert lines[4].split()[1:] == ['548', '9:08', 'FAILED']
    # 0 + 3 + 9 + 548: the scenarios are inside the molecule step's 548 s.
    assert lines[-3].split()[-2:] == ['560', '9:20']
    assert lines[-2].split()[-2:] == ['600', '10:00']
    assert lines[-1] == 'failed: molecule/fleet, molecule'


def test_table_of_a_run_that_passed():
    table = timing_table.format_table([('unit', 65, 'ok')])
    assert table.splitlines()[-1] == 'every step passed'
    assert 'wall time' not in table
    assert '1:05' in table


def test_main_without_records(tmp_path, capsys):
    assert timing_table.main(['timing_table.py', str(tmp_path / 'none.tsv')]) == 0
    assert 'no step recorded' in capsys.readouterr().out

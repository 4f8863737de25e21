# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's argument spec against the base role's and against its own defaults.

A role restates, in its meta/argument_specs.yml, the shared gentoo_mirror_* variables it reads
(docs/CONVENTIONS.md); their defaults live only in the base role. A restated spec that drifts
from the base role's documents a default the role never gets. Roles are found under roles/, so a
role added later is checked too.
"""

from __future__ import annotations

import functools
import pathlib
import sys

import pytest
import yaml

TOP = pathlib.Path(__file__).resolve().parents[3]
ROLES = TOP / 'roles'
BASE = 'gentoo_mirror'
# What a restated shared variable must say as the base role says it (its description may differ).
SAME = ('type', 'default', 'choices', 'elements', 'required', 'no_log')


def role_names():
    return sorted(p.name for p in ROLES.iterdir() if (p / 'meta' / 'argument_specs.yml').is_file())


@functools.lru_cache(maxsize=None)
def _argument_specs(role):
    return yaml.safe_load((ROLES / role / 'meta' / 'argument_specs.yml').read_text())['argument_specs']


def entry_points(role):
    """{entry point: its options} of a role's meta/argument_specs.yml."""
    return {name: dict(spec.get('options') or {}) for name, spec in _argument_specs(role).items()}


def own_prefix(role):
    return role + '_'


def is_shared(role, option):
    """A shared variable: one the base role holds (gentoo_mirror_sync_schedule has the sync role's
    prefix, yet is the base role's), or a gentoo_mirror_* one without the role's own prefix."""
    return option in base_options() or (option.startswith(BASE + '_') and not option.startswith(own_prefix(role)))


def comparable(spec):
    """The parts of an option's spec that must agree, sub-options included."""
    out = {key: spec[key] for key in SAME if key in spec}
    if 'options' in spec:
        out['options'] = {name: comparable(sub) for name, sub in spec['options'].items()}
    return out


def base_options():
    return entry_points(BASE)['main']


def restated(role):
    """(entry point, option, spec) of every shared variable a role restates."""
    return [(entry, name, spec) for entry, options in entry_points(role).items()
            for name, spec in options.items() if is_shared(role, name)]


def drift(role):
    """{(role, entry point, option): what differs} for the shared variables a role restates."""
    base = base_options()
    found = {}
    for entry, name, spec in restated(role):
        key = (role, entry, name)
        if name not in base:
            found[key] = '%s (entry point %s) is not a variable of the base role %s' % (name, entry, BASE)
        elif comparable(spec) != comparable(base[name]):
            found[key] = '%s (entry point %s): %s says %r, %s says %r' % (
                name, entry, role, comparable(spec), BASE, comparable(base[name]))
    return found


def defaults(role):
    path = ROLES / role / 'defaults' / 'main.yml'
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def test_the_roles_are_found():
    # The base role and at least the five concern roles of today; more may come.
    names = role_names()
    assert BASE in names
    assert len([n for n in names if n != BASE]) >= 5


@pytest.mark.parametrize('role', [r for r in role_names() if r != BASE])
def test_restated_shared_variables_match_the_base_role(role):
    assert not drift(role), '\n'.join(drift(role).values())


def test_a_changed_default_is_drift(monkeypatch):
    # The check itself: a role that restates gentoo_mirror_root with another default is caught.
    real = entry_points

    def changed(role):
        points = real(role)
        if role == 'gentoo_mirror_sync':
            points['main'] = dict(points['main'], gentoo_mirror_root=dict(base_options()['gentoo_mirror_root'],
                                                                          default='/srv/elsewhere'))
        return points
    monkeypatch.setattr(sys.modules[__name__], 'entry_points', changed)
    assert ('gentoo_mirror_sync', 'main', 'gentoo_mirror_root') in drift('gentoo_mirror_sync')


@pytest.mark.parametrize('role', [r for r in role_names() if r != BASE])
def test_a_role_restates_at_least_one_shared_variable(role):
    # Every concern role reads shared variables (at least gentoo_mirror_root or the hostname);
    # were none found, the test above would pass on nothing.
    assert restated(role)


@pytest.mark.parametrize('role', role_names())
def test_every_default_of_a_role_is_in_its_argument_spec(role):
    documented = {name for options in entry_points(role).values() for name in options}
    missing = sorted(set(defaults(role)) - documented)
    assert not missing, '%s: defaults/main.yml sets %s, which meta/argument_specs.yml does not document' % (
        role, ', '.join(missing))


@pytest.mark.parametrize('role', role_names())
def test_every_own_option_of_a_role_has_a_default(role):
    # The role's own options (the base role: all of them), unless required: a value the user must give.
    own = {name: spec for options in entry_points(role).values() for name, spec in options.items()
           if role == BASE or not is_shared(role, name)}
    missing = sorted(name for name, spec in own.items() if not spec.get('required') and name not in defaults(role))
    assert not missing, '%s: meta/argument_specs.yml documents %s, which defaults/main.yml does not set' % (
        role, ', '.join(missing))


def templated(value):
    # A default computed by Jinja is documented in words; only literal ones are compared.
    return isinstance(value, str) and '{{' in value


@pytest.mark.parametrize('role', role_names())
def test_a_documented_default_is_the_default_the_role_sets(role):
    values = defaults(role)
    wrong = ['%s: spec %r, defaults/main.yml %r' % (name, spec['default'], values[name])
             for options in entry_points(role).values() for name, spec in options.items()
             if 'default' in spec and name in values and not templated(values[name]) and spec['default'] != values[name]]
    assert not wrong, '%s: %s' % (role, '; '.join(wrong))

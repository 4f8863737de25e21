# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.mirrorkit.gentoo`` importable from the working tree.

When the tests run inside ``.../ansible_collections/mirrorkit/gentoo`` (ansible-test), that
layout already exists. Otherwise a symlink build/unit/ansible_collections/mirrorkit/gentoo ->
the repository is created (once) and its parent put on sys.path.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_parent():
    parts = TOP.split(os.sep)
    if len(parts) >= 3 and parts[-3:-1] == ['ansible_collections', 'mirrorkit'] and parts[-1] == 'gentoo':
        return os.sep.join(parts[:-3])
    base = os.path.join(TOP, 'build', 'unit')
    link = os.path.join(base, 'ansible_collections', 'mirrorkit', 'gentoo')
    if not os.path.islink(link) or os.path.realpath(link) != os.path.realpath(TOP):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(TOP, link)
    return base


_PARENT = _collection_parent()
if _PARENT not in sys.path:
    sys.path.insert(0, _PARENT)


def _load_source(path, name):
    """A program file a role installs (not a package module), loaded as module `name`."""
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def load_source():
    """_load_source, for the tests of the programs the roles install."""
    return _load_source


sys.path.insert(0, os.path.join(TOP, 'tests', 'testbed'))
from role_programs import role_program_path  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def role_program(load_source):
    """Load a program a role installs by its name in tests/testbed/role_programs.py."""
    def load(name):
        return load_source(role_program_path(name), name)
    return load

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() in-process, with run_command and the exit calls as the only stand-ins."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class Exit(Exception):
    pass


def _run_module(main, args, monkeypatch, commands=None):
    """Run a module's main() and return (failed, result)."""
    calls = []

    def run_command(self, args, **kwargs):
        calls.append(args)
        for prefix, answer in (commands or {}).items():
            if ' '.join(args[1:]).startswith(prefix):
                return answer
        raise AssertionError('unexpected command %r' % (args,))

    def exit_json(self, **kwargs):
        raise Exit(False, kwargs)

    def fail_json(self, **kwargs):
        raise Exit(True, kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, name, required=False, opt_dirs=None: '/usr/bin/' + name)
    with patch_module_args(args):
        with pytest.raises(Exit) as info:
            main()
    failed, result = info.value.args
    json.dumps(result)
    return failed, result


@pytest.fixture
def run_module():
    """_run_module(main, args, monkeypatch, commands=None) -> (failed, result)."""
    return _run_module

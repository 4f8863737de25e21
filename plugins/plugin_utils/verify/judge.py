# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Judge what the verify role collected, one check at a time or all at once.

Every check has a judging unit ``checks/<name>.py`` beside its task file
``roles/gentoo_mirror_verify/tasks/checks/<name>.yml``; the unit's ``judge(raw, settings,
now)`` turns the answers the task file registered (``raw``) into rows (verify/rows.py).
``settings`` holds the thresholds and the protocols the mirror serves, ``now`` the
controller's clock. A new unit is found by its name: nothing to register.
"""

from __future__ import annotations

import importlib
import os
import re

from ansible.errors import AnsibleFilterError

CHECKS_PACKAGE = __name__.rsplit(".", 1)[0] + ".checks"
CHECKS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def check_names():
    """The names of every judging unit, in alphabetical order."""
    return sorted(name[:-3] for name in os.listdir(CHECKS_DIR)
                  if name.endswith(".py") and _NAME.match(name[:-3]))


def judge(raw, check, settings, now):
    """Rows of the check named ``check`` for the answers in ``raw``."""
    if not _NAME.match(str(check)) or check not in check_names():
        raise AnsibleFilterError("verify_judge: no check named %r; the checks are %s"
                                 % (check, ", ".join(check_names())))
    if not isinstance(raw, dict) or not isinstance(settings, dict):
        raise AnsibleFilterError("verify_judge(%s) expects the registered answers and the settings as dicts" % check)
    unit = importlib.import_module("%s.%s" % (CHECKS_PACKAGE, check))
    return unit.judge(raw, settings, float(now))


def verify_evaluate(raw):
    """Rows of every check for everything collected at once: ``raw`` holds the registered
    answers of all checks, ``raw["settings"]`` and ``raw["now"]``."""
    if not isinstance(raw, dict) or "settings" not in raw:
        raise AnsibleFilterError("verify_evaluate expects the registered answers with settings and now")
    rows = []
    for check in check_names():
        rows += judge(raw, check, raw["settings"], raw.get("now"))
    return rows

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """Attributes shared by the mirrorkit.gentoo check modules: they only read and measure."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description:
      - Runs the same way in check mode as in a normal run, because the module never changes
        the host; C(changed) is always C(false).
    support: full
  diff_mode:
    description:
      - There is nothing to show a difference of; the module never changes the host.
    support: none
  platform:
    description: Target operating systems the module works on.
    support: full
    platforms: posix
notes:
  - The module only reads and measures. It never changes the host, so C(changed) is always
    C(false) and check mode gives the same result as a normal run.
"""

    # For modules that change the host (install_files).
    INSTALL = r"""
options: {}
attributes:
  check_mode:
    description:
      - Reads the host and reports what a real run would change (RV(changed_paths)), without
        changing anything; validation commands do not run.
    support: full
  diff_mode:
    description:
      - Shows the old and new content of every file whose content changes, and the owner,
        group and mode of every other changed path.
    support: full
  platform:
    description: Target operating systems the module works on.
    support: full
    platforms: posix
"""

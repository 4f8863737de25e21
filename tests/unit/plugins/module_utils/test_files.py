# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import files


def test_read_text_reads_and_gives_none_when_it_cannot(tmp_path):
    (tmp_path / 'limits').write_text('Max open files 1024 524288 files\n')
    assert files.read_text(str(tmp_path / 'limits')) == 'Max open files 1024 524288 files\n'
    assert files.read_text(str(tmp_path / 'missing')) is None
    assert files.read_text(str(tmp_path)) is None

# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/variables.md says what the roles' argument specs say."""

import pathlib
import re
import subprocess
import sys

TOP = pathlib.Path(__file__).resolve().parents[2]


def test_variables_page_matches_argument_specs():
    result = subprocess.run(
        [sys.executable, str(TOP / "tests" / "docs" / "gen_variables.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_role_has_argument_specs_and_readme():
    for role in sorted((TOP / "roles").iterdir()):
        assert (role / "meta" / "argument_specs.yml").is_file(), f"{role.name} has no meta/argument_specs.yml"
        assert (role / "README.md").is_file(), f"{role.name} has no README.md"


def test_variables_page_renders_the_markup():
    """No raw C(), O(), U(), B(), ... is left: each became Markdown (or HTML inline in it)."""
    page = (TOP / "docs" / "variables.md").read_text(encoding="utf-8")
    raw = re.findall(r"(?<![\w\\])[BCEIMOPUV]\([^)]*\)", page)
    assert raw == []
    assert "<code>/releases/historical</code>" in page
    assert "[https\\://acme\\-staging\\-v02\\.api\\.letsencrypt\\.org/directory](https" in page
    assert "<b>" in page

#!/usr/bin/env python3
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write docs/variables.md from the roles' meta/argument_specs.yml.

`python3 tests/docs/gen_variables.py` rewrites the page; `--check` exits 1 when the page
differs from what the argument specs say (a unit test runs that).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

import yaml

TOP = pathlib.Path(__file__).resolve().parents[2]
PAGE = TOP / "docs" / "variables.md"


def text(value) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    value = " ".join(str(value).split()).replace("|", "\\|")
    # Ansible documentation markup, C(x) O(x) V(x) E(x), as Markdown code.
    return re.sub(r"\b[COVE]\(([^()]*)\)", r"`\1`", value)


def default(option: dict) -> str:
    if option.get("required"):
        return "required"
    if "default" not in option:
        return ""
    value = option["default"]
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    return f"`{json.dumps(value)}`"


def render() -> str:
    lines = [
        "# Variables",
        "",
        "Generated from each role's `meta/argument_specs.yml` by `tests/docs/gen_variables.py`;",
        "a unit test keeps this page in step with the specs. The shared `gentoo_mirror_*` variables",
        "belong to the base role `gentoo_mirror`; every other role reads them.",
        "",
    ]
    for spec_file in sorted((TOP / "roles").glob("*/meta/argument_specs.yml")):
        role = spec_file.parent.parent.name
        specs = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"]
        for entry, spec in specs.items():
            title = f"mirrorkit.gentoo.{role}" + ("" if entry == "main" else f" (tasks_from: {entry})")
            lines += [f"## {title}", "", text(spec.get("short_description", "")), ""]
            options = spec.get("options") or {}
            if not options:
                lines += ["No variables.", ""]
                continue
            lines += ["| variable | type | default | choices | description |", "|---|---|---|---|---|"]
            for name, option in options.items():
                choices = ", ".join(f"`{c}`" for c in option.get("choices", []))
                lines.append(
                    f"| `{name}` | {option.get('type', 'str')} | {default(option)} | {choices} | {text(option.get('description', ''))} |"
                )
            lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/variables.md is out of date")
    args = parser.parse_args()
    page = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != page:
            print(f"{PAGE} is out of date: run python3 tests/docs/gen_variables.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

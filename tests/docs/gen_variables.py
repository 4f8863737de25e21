#!/usr/bin/env python3
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write docs/variables.md from the roles' argument specs.

ansible-doc (``ansible-doc -t role --json``) reads the specs as ansible-core sees them, and
antsibull-docs-parser renders their markup (C(), O(), V(), U(), B(), ...) to Markdown.
`python3 tests/docs/gen_variables.py` rewrites the page; `--check` exits 1 when the page
differs from what the argument specs say (a unit test runs that).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from antsibull_docs_parser import dom
from antsibull_docs_parser.md import md_escape, to_md
from antsibull_docs_parser.parser import Context, parse

TOP = pathlib.Path(__file__).resolve().parents[2]
PAGE = TOP / "docs" / "variables.md"
COLLECTION = "mirrorkit.gentoo"


def ansible_doc_roles(roles):
    """ansible-doc's JSON for ``roles``, the collection found in this working tree."""
    program = shutil.which("ansible-doc", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        link = pathlib.Path(tmp, "ansible_collections", "mirrorkit", "gentoo")
        link.parent.mkdir(parents=True)
        link.symlink_to(TOP)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=tmp, ANSIBLE_NOCOLOR="1")
        run = subprocess.run([program, "-t", "role", "--json"] + ["%s.%s" % (COLLECTION, r) for r in roles],
                             capture_output=True, text=True, env=env, check=False)
    if run.returncode != 0:
        raise SystemExit("ansible-doc failed: %s" % run.stderr)
    return json.loads(run.stdout)


def markup(value, role, entry) -> str:
    """Ansible markup as Markdown on one line (paragraphs joined with <br>), for a table cell."""
    context = Context(current_plugin=dom.PluginIdentifier(fqcn="%s.%s" % (COLLECTION, role), type="role"),
                      role_entrypoint=entry)
    paragraphs = parse(value if isinstance(value, list) else [value or ""], context, errors="exception")
    return to_md(paragraphs, par_sep="<br>", par_empty="").replace("\n", " ")


def literal(value) -> str:
    if isinstance(value, bool):
        value = str(value).lower()
    elif not isinstance(value, str):
        value = json.dumps(value)
    return "<code>%s</code>" % (md_escape(value) if value else '""')


def default(option: dict) -> str:
    if option.get("required"):
        return "required"
    return literal(option["default"]) if "default" in option else ""


def entry_table(role, entry, spec):
    title = "%s.%s" % (COLLECTION, role) + ("" if entry == "main" else " (tasks_from: %s)" % entry)
    lines = ["## %s" % title, "", markup(spec.get("short_description", ""), role, entry), ""]
    options = spec.get("options") or {}
    if not options:
        return lines + ["No variables.", ""]
    lines += ["| variable | type | default | choices | description |", "|---|---|---|---|---|"]
    for name, option in options.items():
        kind = option.get("type", "str") + ("/%s" % option["elements"] if option.get("elements") else "")
        choices = ", ".join(literal(c) for c in option.get("choices", []))
        description = markup(option.get("description", ""), role, entry)
        lines.append("| `%s` | %s | %s | %s | %s |" % (name, kind, default(option), choices, description))
    return lines + [""]


def render() -> str:
    lines = [
        "# Variables",
        "",
        "Generated from each role's `meta/argument_specs.yml` by `tests/docs/gen_variables.py`",
        "(ansible-doc reads the specs, antsibull-docs-parser renders their markup); a unit test keeps",
        "this page in step with the specs. The shared `gentoo_mirror_*` variables belong to the base",
        "role `gentoo_mirror`; every other role reads them.",
        "",
    ]
    roles = sorted(p.parent.parent.name for p in (TOP / "roles").glob("*/meta/argument_specs.yml"))
    docs = ansible_doc_roles(roles)
    for role in roles:
        entries = docs["%s.%s" % (COLLECTION, role)]["entry_points"]
        for entry in sorted(entries, key=lambda e: (e != "main", e)):
            lines += entry_table(role, entry, entries[entry])
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

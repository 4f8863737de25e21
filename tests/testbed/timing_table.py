# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table `make test` ends with: how long each step and each molecule scenario took.

Reads the lines tests/testbed/step.sh appended ("name<TAB>seconds<TAB>ok|FAILED"). A name
"parent/child" (molecule/default) is a part of step "parent": it is listed under it, indented,
and not counted again in the total.
Usage: python3 timing_table.py TIMES_FILE [WALL_SECONDS]
"""

from __future__ import annotations

import sys
from pathlib import Path


def parse(text: str) -> list[tuple[str, int, str]]:
    """(name, seconds, result) of each well-formed line, in the order they were written."""
    rows = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].isdigit():
            rows.append((parts[0], int(parts[1]), parts[2]))
    return rows


def clock(seconds: int) -> str:
    return "%d:%02d" % divmod(seconds, 60)


def format_table(rows, wall: int | None = None) -> str:
    """The table: steps in the order they began (a parent before its parts), the total of the
    top-level steps, the wall time of the whole run when given, and what failed."""
    names = {name for name, dummy, dummy2 in rows}
    groups: dict[str, list] = {}
    for row in rows:
        parent = row[0].split("/", 1)[0] if "/" in row[0] else row[0]
        # A part of a step that has a line of its own goes under it; parts of none stand alone.
        groups.setdefault(parent if parent in names else row[0], []).append(row)
    width = max([len("total of the steps")] + [len(name) + (2 if "/" in name else 0) for name in names])

    def line(name, seconds, minutes, result=""):
        return "{:<{w}}  {:>8}  {:>7}  {}".format(name, seconds, minutes, result, w=width).rstrip()

    out = [line("step", "seconds", "min:s", "result")]
    total = 0
    for key, members in groups.items():
        members.sort(key=lambda r: r[0] != key)  # the parent first, its parts in their order
        for name, seconds, result in members:
            part = name != key
            total += 0 if part else seconds
            out.append(line(("  " + name) if part else name, seconds, clock(seconds), result))
    out.append(line("total of the steps", total, clock(total)))
    if wall is not None:
        out.append(line("wall time", wall, clock(wall)))
    failed = [name for name, dummy, result in rows if result != "ok"]
    out.append("failed: %s" % ", ".join(failed) if failed else "every step passed")
    return "\n".join(out)


def main(argv) -> int:
    path = Path(argv[1])
    rows = parse(path.read_text()) if path.exists() else []
    if not rows:
        print("no step recorded in %s" % path)
        return 0
    print(format_table(rows, int(argv[2]) if len(argv) > 2 else None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

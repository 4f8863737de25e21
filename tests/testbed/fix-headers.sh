#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: tests/testbed/fix-headers.sh [FILE...]   (default: every tracked code file)
# Gives code files (.py, .sh, Makefile, scripts with a #! line) a header REUSE reads (see
# REUSE.toml; `make licence` checks it): "Copyright: (c)" becomes "Copyright (c)" (REUSE does
# not read the colon form), and a file without an SPDX-License-Identifier gets the project's
# header after its #! and coding lines (or only the SPDX line, when it names a copyright already).
# The header text below is data for reuse, not this file's own header. REUSE-IgnoreStart
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
if [ $# -eq 0 ]; then
  mapfile -t files < <(git ls-files | while read -r f; do
    [ -f "$f" ] || continue
    case "$f" in LICENSES/*) continue ;; *.py|*.sh|Makefile) echo "$f"; continue ;; esac
    [ "$(head -c 2 "$f")" = '#!' ] && echo "$f"
  done)
else
  files=("$@")
fi
for f in "${files[@]}"; do
  sed -i -E 's/^([[:space:]]*#[[:space:]]*)Copyright: (\(c\) )?/\1Copyright (c) /' "$f"
  sed -i -E 's/^([[:space:]]*#[[:space:]]*Copyright \(c\) )mirrorkit developers$/\12026, mirrorkit developers/' "$f"
  grep -q 'SPDX-License-Identifier:' "$f" && continue
  awk -v has_copyright="$(grep -c '^# Copyright (c)' "$f" || true)" '
    function header() {
      if (has_copyright == 0) {
        print "# Copyright (c) 2026, mirrorkit developers"
        print "# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)"
      }
      print "# SPDX-License-Identifier: GPL-3.0-or-later"
      done = 1
    }
    # After the #! line, the coding line and, where there is one, the copyright and licence lines.
    !done && (/^#!/ && NR == 1 || /^# -\*- coding/ || /^# Copyright \(c\)/ || /^# GNU General Public License/) { print; next }
    !done { header() }
    { print }
    END { if (!done) header() }' "$f" > "$f.fix-headers" && cat "$f.fix-headers" > "$f" && rm -f "$f.fix-headers"
  echo "header added: $f"
done
# REUSE-IgnoreEnd

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading what a task registered: uri, the rsync client run by command, slurp, loops."""

from __future__ import annotations

import base64
import binascii

from ansible.module_utils.common.text.converters import to_text


def skipped(result):
    """Whether the task did not run (or registered nothing)."""
    return not isinstance(result, dict) or bool(result.get("skipped"))


def http_problem(result):
    """None for a 200 answer, else a short description of what went wrong."""
    status = result.get("status")
    if status == 200:
        return None
    msg = to_text(result.get("msg") or "").strip()
    if status in (None, -1):
        return "no answer: %s" % (msg or "request failed")
    return "HTTP %s%s" % (status, (" (%s)" % msg) if msg and not msg.startswith("Status code was") else "")


def rsync_problem(result):
    """None when the rsync client exited 0, else its exit code and first line of error."""
    if result.get("rc") == 0:
        return None
    err = to_text(result.get("stderr") or result.get("msg") or "").strip().splitlines()
    err = [line for line in err if line.strip()]
    return "rsync exit %s: %s" % (result.get("rc"), err[0] if err else "no output")


def unreachable(result):
    """The detail for a host the task could not reach, else None."""
    if result.get("unreachable"):
        return "mirror host unreachable: %s" % to_text(result.get("msg")).strip()
    return None


def decode_slurp(result):
    """The text a slurp task read, or None."""
    try:
        return base64.b64decode(result.get("content") or "").decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def loop_results(registered):
    """The per-item results of a looped task."""
    if not isinstance(registered, dict):
        return []
    return [r for r in registered.get("results", []) if isinstance(r, dict)]

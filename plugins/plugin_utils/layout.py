# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GLEP 75 distfiles layout: read ``distfiles/layout.conf`` and compute where a file lives.

``layout.conf`` holds a ``[structure]`` section whose keys ``0``, ``1``, ... name the layouts
in order of preference, for example ``0=filename-hash BLAKE2B 8`` and ``1=flat``. With
``filename-hash <algorithm> <cutoffs>`` a file sits below directories named by the leading
bits of the hash of its file name (hex digits), one directory per colon-separated cutoff:
``filename-hash BLAKE2B 4:8`` puts ``foo.tar.gz`` at ``<4 bits>/<next 8 bits>/foo.tar.gz``.
This follows Portage's ``FilenameHashLayout``. The filters ``layout_parse`` and ``layout_path``
(plugins/filter/layout.py) and the verify role's layout checks use it.
"""

from __future__ import annotations

import hashlib
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

# Portage's names for the hash functions GLEP 75 allows, mapped to hashlib.
HASHES = {
    "BLAKE2B": lambda data: hashlib.blake2b(data).hexdigest(),
    "BLAKE2S": lambda data: hashlib.blake2s(data).hexdigest(),
    "MD5": lambda data: hashlib.md5(data).hexdigest(),
    "SHA1": lambda data: hashlib.sha1(data).hexdigest(),
    "SHA256": lambda data: hashlib.sha256(data).hexdigest(),
    "SHA512": lambda data: hashlib.sha512(data).hexdigest(),
    "SHA3_256": lambda data: hashlib.sha3_256(data).hexdigest(),
    "SHA3_512": lambda data: hashlib.sha3_512(data).hexdigest(),
}

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]$")
_KEY = re.compile(r"^(?P<key>[^=\s]+)\s*=\s*(?P<value>.*)$")


def parse_structure(spec):
    """One layout line (``filename-hash BLAKE2B 8``, ``flat``) as a dict.

    ``supported`` is false for layouts this code cannot compute (``content-hash``, unknown
    hash functions, cut-offs that are not whole hex digits); ``error`` says why.
    """
    words = to_text(spec).split()
    found = {"spec": " ".join(words), "type": words[0] if words else "", "algorithm": None,
             "cutoffs": [], "supported": False, "error": None}
    if not words:
        found["error"] = "empty layout"
    elif words[0] == "flat":
        if len(words) == 1:
            found["supported"] = True
        else:
            found["error"] = "flat takes no arguments"
    elif words[0] == "filename-hash":
        if len(words) != 3:
            found["error"] = "filename-hash needs an algorithm and cut-offs, e.g. 'filename-hash BLAKE2B 8'"
            return found
        found["algorithm"] = words[1]
        try:
            found["cutoffs"] = [int(c) for c in words[2].split(":")]
        except ValueError:
            found["error"] = "cut-offs must be numbers separated by ':', got %r" % words[2]
            return found
        if words[1] not in HASHES:
            found["error"] = "unknown hash function %s" % words[1]
        elif any(c <= 0 or c % 4 for c in found["cutoffs"]):
            found["error"] = "every cut-off must be a positive multiple of 4 bits"
        else:
            found["supported"] = True
    else:
        found["error"] = "unsupported layout type %s" % words[0]
    return found


def layout_parse(text):
    """Parse the text of ``layout.conf``.

    Returns ``{"structures": [...], "primary": <first supported structure or None>,
    "errors": [...]}``; structures are ordered by their key (0, 1, ...) and each carries
    ``index`` besides the fields of :func:`parse_structure`.
    """
    if text is None:
        text = ""
    section = None
    entries = []
    errors = []
    for number, raw in enumerate(to_text(text).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        match = _SECTION.match(line)
        if match:
            section = match.group("name").strip()
            continue
        match = _KEY.match(line)
        if not match:
            errors.append("line %d is not 'key = value': %s" % (number, line))
            continue
        if section != "structure":
            continue
        key = match.group("key")
        if not key.isdigit():
            errors.append("line %d: structure key %r is not a number" % (number, key))
            continue
        entry = parse_structure(match.group("value"))
        entry["index"] = int(key)
        entries.append(entry)
    entries.sort(key=lambda e: e["index"])
    if not entries:
        errors.append("no [structure] entries")
    primary = next((e for e in entries if e["supported"]), None)
    return {"structures": entries, "primary": primary, "errors": errors}


def _structure_of(layout):
    if isinstance(layout, dict):
        if "structures" in layout:
            primary = layout.get("primary")
            if primary is None:
                raise AnsibleFilterError("layout_path: the layout has no supported structure: %s"
                                         % "; ".join(e["spec"] + ": " + (e["error"] or "")
                                                     for e in layout.get("structures", [])))
            return primary
        return layout
    text = to_text(layout)
    if "[structure]" in text:
        return _structure_of(layout_parse(text))
    return parse_structure(text)


def layout_path(filename, layout="filename-hash BLAKE2B 8"):
    """Path of ``filename`` below ``distfiles/`` in ``layout``.

    ``layout`` is a structure line (``filename-hash BLAKE2B 8``), a parsed structure, the
    result of :func:`layout_parse` (its primary structure is used), or the text of
    ``layout.conf``.
    """
    name = to_text(filename)
    if not name or "/" in name:
        raise AnsibleFilterError("layout_path: %r is not a distfile name" % name)
    structure = _structure_of(layout)
    if not structure.get("supported"):
        raise AnsibleFilterError("layout_path: cannot compute %r: %s"
                                 % (structure.get("spec"), structure.get("error")))
    if structure["type"] == "flat":
        return name
    digest = HASHES[structure["algorithm"]](name.encode("utf-8"))
    parts = []
    for cutoff in structure["cutoffs"]:
        digits = cutoff // 4
        if digits > len(digest):
            raise AnsibleFilterError("layout_path: cut-offs of %r exceed the hash length" % structure["spec"])
        parts.append(digest[:digits])
        digest = digest[digits:]
    return "/".join(parts + [name])

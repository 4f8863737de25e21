# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GLEP 75 layout filters: layout.conf parsing and the path of a distfile."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils import layout

TOP = pathlib.Path(__file__).resolve().parents[4]

LAYOUT_CONF = """# Gentoo distfiles layout, GLEP 75
[structure]
0=filename-hash BLAKE2B 8
1=flat
"""


def load_make_tree():
    spec = importlib.util.spec_from_file_location("make_tree", TOP / "tests" / "testbed" / "make_tree.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parse_real_layout_conf():
    parsed = layout.layout_parse(LAYOUT_CONF)
    assert parsed["errors"] == []
    assert [s["spec"] for s in parsed["structures"]] == ["filename-hash BLAKE2B 8", "flat"]
    assert parsed["primary"]["algorithm"] == "BLAKE2B"
    assert parsed["primary"]["cutoffs"] == [8]
    assert parsed["primary"]["index"] == 0


def test_parse_orders_by_key_and_skips_other_sections():
    parsed = layout.layout_parse("[other]\n0=flat\n[structure]\n1 = flat\n0 = filename-hash SHA1 4:8\n")
    assert [s["index"] for s in parsed["structures"]] == [0, 1]
    assert parsed["primary"]["spec"] == "filename-hash SHA1 4:8"


def test_parse_falls_back_to_first_supported_structure():
    parsed = layout.layout_parse("[structure]\n0=content-hash SHA512 8:8:8\n1=filename-hash BLAKE2B 8\n")
    assert parsed["structures"][0]["supported"] is False
    assert "content-hash" in parsed["structures"][0]["error"]
    assert parsed["primary"]["index"] == 1


@pytest.mark.parametrize("text, error", [
    ("", "no [structure] entries"),
    ("[structure]\nzero=flat\n", "is not a number"),
    ("[structure]\n0 flat\n", "is not 'key = value'"),
])
def test_parse_reports_errors(text, error):
    parsed = layout.layout_parse(text)
    assert parsed["primary"] is None
    assert any(error in e for e in parsed["errors"])


@pytest.mark.parametrize("spec, error", [
    ("filename-hash BLAKE2B", "needs an algorithm"),
    ("filename-hash WHIRLPOOL 8", "unknown hash function"),
    ("filename-hash BLAKE2B 6", "multiple of 4"),
    ("filename-hash BLAKE2B x", "cut-offs must be numbers"),
    ("flat extra", "takes no arguments"),
])
def test_structure_errors(spec, error):
    found = layout.parse_structure(spec)
    assert found["supported"] is False
    assert error in found["error"]


@pytest.mark.parametrize("name, spec, path", [
    # Known values: BLAKE2B("foo-1.0.tar.gz") starts 4b58..., SHA1 starts 32ac...
    ("foo-1.0.tar.gz", "filename-hash BLAKE2B 8", "4b/foo-1.0.tar.gz"),
    ("foo-1.0.tar.gz", "filename-hash BLAKE2B 4:8", "4/b5/foo-1.0.tar.gz"),
    ("foo-1.0.tar.gz", "filename-hash BLAKE2B 16", "4b58/foo-1.0.tar.gz"),
    ("foo-1.0.tar.gz", "filename-hash SHA1 8", "32/foo-1.0.tar.gz"),
    ("gentoo-latest.tar.xz", "filename-hash BLAKE2B 8", "4e/gentoo-latest.tar.xz"),
    ("foo-1.0.tar.gz", "flat", "foo-1.0.tar.gz"),
])
def test_layout_path_known_values(name, spec, path):
    assert layout.layout_path(name, spec) == path


def test_layout_path_accepts_conf_text_and_parsed():
    parsed = layout.layout_parse(LAYOUT_CONF)
    assert layout.layout_path("foo-1.0.tar.gz", parsed) == "4b/foo-1.0.tar.gz"
    assert layout.layout_path("foo-1.0.tar.gz", LAYOUT_CONF) == "4b/foo-1.0.tar.gz"
    assert layout.layout_path("foo-1.0.tar.gz") == "4b/foo-1.0.tar.gz"


def test_layout_path_agrees_with_the_test_tree_generator():
    make_tree = load_make_tree()
    for index in range(300):
        name = "pkg%05d-1.%d.tar.xz" % (index, index % 7)
        assert layout.layout_path(name, "filename-hash BLAKE2B 8") == "%s/%s" % (make_tree.hashed_dir(name), name)


def test_layout_path_utf8_name():
    # Portage hashes the UTF-8 bytes of the name.
    import hashlib
    name = "caf\u00e9-1.0.tar.gz"
    assert layout.layout_path(name) == hashlib.blake2b(name.encode("utf-8")).hexdigest()[:2] + "/" + name


@pytest.mark.parametrize("name", ["", "a/b.tar.gz"])
def test_layout_path_refuses_non_names(name):
    with pytest.raises(AnsibleFilterError):
        layout.layout_path(name)


def test_layout_path_refuses_unsupported_layout():
    with pytest.raises(AnsibleFilterError, match="no supported structure"):
        layout.layout_path("foo", layout.layout_parse("[structure]\n0=content-hash SHA512 8\n"))

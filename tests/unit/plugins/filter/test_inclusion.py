# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""distfiles.xml entry: compared with the fixture and with what `xmllint --format` makes of it."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mirrorkit.gentoo.plugins.filter import inclusion

FIXTURES = pathlib.Path(__file__).resolve().parents[3] / "fixtures" / "inclusion"
XMLLINT = shutil.which("xmllint")
needs_xmllint = pytest.mark.skipif(XMLLINT is None, reason="xmllint missing (apt-get install libxml2-utils)")


def xmllint_format(text, tmp_path):
    source = tmp_path / "in.xml"
    source.write_text(text, encoding="utf-8")
    return subprocess.run([XMLLINT, "--format", str(source)], check=True, capture_output=True).stdout.decode("utf-8")


def fixture_names():
    return sorted(p.name[:-len(".json")] for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", fixture_names())
def test_xml_matches_fixture(name):
    mirror = json.loads((FIXTURES / (name + ".json")).read_text(encoding="utf-8"))
    expected = (FIXTURES / (name + ".distfiles.xml")).read_text(encoding="utf-8")
    assert inclusion.distfiles_xml(mirror) == expected


@needs_xmllint
@pytest.mark.parametrize("name", fixture_names())
def test_xml_is_what_xmllint_format_writes(name, tmp_path):
    mirror = json.loads((FIXTURES / (name + ".json")).read_text(encoding="utf-8"))
    text = inclusion.distfiles_xml(mirror)
    assert xmllint_format(text, tmp_path) == text


@needs_xmllint
@pytest.mark.parametrize("value", [
    "plain", "a & b", "<tag>", 'say "hi"', "it's", "tab\there", "line\nbreak", "cr\rhere", "ümlaut €",
])
def test_escaping_matches_libxml2(value, tmp_path):
    mirror = {"region": "Asia", "country": "jp", "countryname": value or "Japan", "name": value,
              "uris": [{"protocol": "http", "url": "http://m.example.jp/?a=1&b=" + value}]}
    text = inclusion.distfiles_xml(mirror)
    assert xmllint_format(text, tmp_path) == text
    assert 'country="JP"' in text


def test_defaults_and_country_name():
    text = inclusion.distfiles_xml({"region": "North America", "country": "us", "name": "M",
                                    "uris": [{"protocol": "https", "url": "https://m/"}]})
    assert '<mirrorgroup region="North America" country="US" countryname="United States">' in text
    assert '<uri protocol="https" ipv4="y" ipv6="n" partial="n">https://m/</uri>' in text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<mirrorgroup')
    assert text.endswith("</mirrorgroup>\n")


@pytest.mark.parametrize("code, name", [("DE", "Germany"), ("kr", "South Korea"), ("UK", "United Kingdom"), ("TW", "Taiwan")])
def test_country_name(code, name):
    assert inclusion.country_name(code) == name


def test_country_name_unknown():
    with pytest.raises(AnsibleFilterError, match="not an ISO 3166-1"):
        inclusion.country_name("XX")


@pytest.mark.parametrize("mirror, message", [
    ({"region": "Europe", "country": "DE", "name": "M"}, "uris missing"),
    ({"region": "Atlantis", "country": "DE", "name": "M", "uris": [{"protocol": "http", "url": "u"}]}, "region"),
    ({"region": "Europe", "country": "DE", "name": "M", "uris": [{"protocol": "gopher", "url": "u"}]}, "protocol"),
    ({"region": "Europe", "country": "DE", "name": "bell\x07", "uris": [{"protocol": "http", "url": "u"}]}, "character"),
    ({"region": "Europe", "country": "DE", "name": "M", "uris": [{"protocol": "http", "url": "u", "ipv6": "maybe"}]}, "yes/no"),
])
def test_bad_input_is_refused(mirror, message):
    with pytest.raises(AnsibleFilterError, match=message):
        inclusion.distfiles_xml(mirror)

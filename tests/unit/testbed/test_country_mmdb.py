# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test's GeoIP country database writer (tests/testbed/country_mmdb.py), against the MaxMind
DB format's rules; the faults scenario checks that GoAccess reads what it writes."""

from __future__ import annotations

import ipaddress
import pathlib
import struct
import sys

import pytest

TESTBED = pathlib.Path(__file__).resolve().parents[3] / 'tests' / 'testbed'
sys.path.insert(0, str(TESTBED))

import country_mmdb  # noqa: E402  pylint: disable=wrong-import-position

GERMANY = country_mmdb.country_record('DE', 'Germany', 'EU', 'Europe')
FRANCE = country_mmdb.country_record('FR', 'France', 'EU', 'Europe')


def node_count(blob):
    """The metadata's node_count (a uint32: its control byte holds the length)."""
    at = blob.rindex(b'node_count') + len('node_count')
    assert blob[at] >> 5 == 6
    return int.from_bytes(blob[at + 1:at + 1 + (blob[at] & 0x1f)], 'big')


def lookup(blob, address):
    """The data section offset the search tree gives for `address` (None: not placed), walked
    the way libmaxminddb walks an IPv6 tree of 24-bit records."""
    count = node_count(blob)
    ip = ipaddress.ip_address(address)
    value, bits = int(ip), (128 if ip.version == 6 else 32)
    path = [0] * (128 - bits) + [(value >> (bits - 1 - i)) & 1 for i in range(bits)]
    node = 0
    for bit in path:
        record = blob[node * 6 + bit * 3:node * 6 + bit * 3 + 3]
        node = int.from_bytes(record, 'big')
        if node == count:
            return None
        if node > count:
            return node - count - 16
    raise AssertionError('the tree is deeper than 128 bits')


@pytest.mark.parametrize('size, expected', [(28, b'\x5c'), (29, b'\x5d\x00'), (284, b'\x5d\xff'),
                                            (285, b'\x5e\x00\x00'), (65820, b'\x5e\xff\xff'),
                                            (65821, b'\x5f\x00\x00\x00')])
def test_string_sizes_take_the_extra_bytes_the_format_says(size, expected):
    assert country_mmdb.encode('x' * size)[:len(expected)] == expected


def test_extended_types_and_widths():
    # an array: extended type 11, so type 0 in the control byte and 11 - 7 in the next
    assert country_mmdb.encode(['a', 'b']) == b'\x02\x04\x41a\x41b'
    assert country_mmdb.encode(country_mmdb.Uint(0, 16)) == b'\xa0'
    assert country_mmdb.encode(country_mmdb.Uint(70000, 32)) == b'\xc3\x01\x11\x70'
    assert country_mmdb.encode(country_mmdb.Uint(1, 64)) == b'\x01\x02\x01'
    with pytest.raises(TypeError):
        country_mmdb.encode(3)  # a width must be chosen: readers check the metadata's types


def test_tree_places_each_network_and_nothing_else():
    blob = country_mmdb.build({ipaddress.ip_network('10.89.0.0/24'): GERMANY,
                               ipaddress.ip_network('198.51.100.0/24'): FRANCE,
                               ipaddress.ip_network('2001:db8::/48'): FRANCE})
    tree = node_count(blob) * 6
    assert blob[tree:tree + 16] == b'\0' * 16  # the data section's separator
    data = blob[tree + 16:]
    for address, record in (('10.89.0.0', GERMANY), ('10.89.0.255', GERMANY), ('198.51.100.7', FRANCE),
                            ('2001:db8::1', FRANCE)):
        offset = lookup(blob, address)
        assert data[offset:].startswith(country_mmdb.encode(record)), address
    for address in ('10.89.1.0', '10.88.0.1', '198.51.101.0', '2001:db9::1', '::ffff:10.89.0.1'):
        assert lookup(blob, address) is None, address
    assert blob.count(country_mmdb.METADATA_MARKER) == 1
    assert struct.unpack('>I', b'\0' + blob[:3])[0] == 1  # node 0's left record: node 1 (depth first)


def test_main_writes_the_file_and_rejects_overlaps(tmp_path):
    out = tmp_path / 'c.mmdb'
    assert country_mmdb.main([str(out), '10.89.0.32/24=DE:Germany:EU:Europe']) == 0
    assert lookup(out.read_bytes(), '10.89.0.9') is not None
    assert country_mmdb.main([str(tmp_path / 'x'), '10.0.0.0/8=DE:Germany:EU:Europe',
                              '10.89.0.0/24=FR:France:EU:Europe']) == 2
    assert country_mmdb.main([str(tmp_path / 'x'), '10.0.0.0/8=DE:Germany']) == 2
    assert not (tmp_path / 'x').exists()

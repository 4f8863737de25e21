#!/usr/bin/env python3
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a small GeoIP2-Country database (MaxMind DB format 2.0) that maps the given networks to countries.

    country_mmdb.py OUT.mmdb NETWORK=CC:Country:CONTINENT_CODE:Continent ...

e.g. `10.89.1.7/24=DE:Germany:EU:Europe` (host bits are dropped). Debian ships no country
database and the test network's addresses are private, which no real database places: the faults
scenario makes its own with this, in the layout of MaxMind's GeoLite2-Country (an IPv6 tree of
128 levels, IPv4 networks at ::/96; records of 24 bits; a country record with continent,
country and registered_country), and GoAccess reads it through Debian's libmaxminddb.
Python 3 standard library only: it runs on the test host as well as on the machine.
"""

import ipaddress
import struct
import sys
import time

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"
RECORD_BITS = 24
UINT_TYPES = {16: 5, 32: 6, 64: 9}


class Uint(int):
    """An unsigned integer of a given width: libmaxminddb checks each metadata field's type."""

    def __new__(cls, value, bits):
        self = super().__new__(cls, value)
        self.bits = bits
        return self


def _control(type_no, size):
    """A field's control byte(s): type in the top 3 bits (0: extended, its number - 7 next), then the size."""
    if size < 29:
        head, tail = size, b""
    elif size < 285:
        head, tail = 29, bytes([size - 29])
    elif size < 65821:
        head, tail = 30, struct.pack(">H", size - 285)
    else:
        head, tail = 31, struct.pack(">I", size - 65821)[1:]
    if type_no <= 7:
        return bytes([(type_no << 5) | head]) + tail
    return bytes([head, type_no - 7]) + tail


def encode(value):
    """One value in the data section's encoding (no pointers: the database is small)."""
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _control(2, len(raw)) + raw
    if isinstance(value, dict):
        return _control(7, len(value)) + b"".join(encode(str(k)) + encode(v) for k, v in value.items())
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, Uint) and 0 <= value < 1 << value.bits:
        raw = value.to_bytes(8, "big").lstrip(b"\0")
        return _control(UINT_TYPES[value.bits], len(raw)) + raw
    raise TypeError("cannot encode %r" % (value,))


def country_record(iso_code, country, continent_code, continent):
    """The fields of a GeoIP2-Country record that readers (GoAccess among them) look up."""
    place = {"iso_code": iso_code, "names": {"en": country}}
    return {"continent": {"code": continent_code, "names": {"en": continent}},
            "country": dict(place), "registered_country": dict(place)}


def _bits(network):
    """The network's prefix as bits of an IPv6 address (IPv4 under ::/96, where readers look it up)."""
    if network.version == 4:
        return [(int(network.network_address) >> (31 - i)) & 1 for i in range(network.prefixlen)], 96
    return [(int(network.network_address) >> (127 - i)) & 1 for i in range(network.prefixlen)], 0


def build(networks):
    """The database's bytes; `networks` maps ip_network -> record (dict). Networks must not overlap."""
    data, offsets = b"", []
    root = [None, None]
    for network, record in networks.items():
        offsets.append(len(data))
        data += encode(record)
        bits, zeros = _bits(network)
        path = [0] * zeros + bits
        node = root
        for bit in path[:-1]:
            if not isinstance(node[bit], list):
                if node[bit] is not None:
                    raise ValueError("%s lies inside another network" % network)
                node[bit] = [None, None]
            node = node[bit]
        if node[path[-1]] is not None:
            raise ValueError("%s overlaps another network" % network)
        node[path[-1]] = ("data", offsets[-1])

    # number the nodes depth first from the root (node 0), then write their two records each
    nodes = []

    def number(node):
        nodes.append(node)
        for child in node:
            if isinstance(child, list):
                number(child)
    number(root)
    index = {id(node): i for i, node in enumerate(nodes)}
    count = len(nodes)

    def record_value(child):
        if child is None:
            return count  # no data
        if isinstance(child, list):
            return index[id(child)]
        return count + 16 + child[1]  # into the data section, past its 16-byte separator
    tree = b"".join(struct.pack(">I", record_value(n[0]))[1:] + struct.pack(">I", record_value(n[1]))[1:]
                    for n in nodes)
    metadata = {"binary_format_major_version": Uint(2, 16), "binary_format_minor_version": Uint(0, 16),
                "build_epoch": Uint(int(time.time()), 64), "database_type": "GeoIP2-Country",
                "description": {"en": "mirrorkit test country database"}, "ip_version": Uint(6, 16),
                "languages": ["en"], "node_count": Uint(count, 32), "record_size": Uint(RECORD_BITS, 16)}
    return tree + b"\0" * 16 + data + METADATA_MARKER + encode(metadata)


def parse(spec):
    """NETWORK=CC:Country:CONTINENT_CODE:Continent -> (ip_network, record)."""
    network, dummy, place = spec.partition("=")
    fields = place.split(":")
    if len(fields) != 4 or not all(fields):
        raise ValueError("%r: want NETWORK=CC:Country:CONTINENT_CODE:Continent" % spec)
    return ipaddress.ip_network(network, strict=False), country_record(*fields)


def main(argv):
    if len(argv) < 2:
        print("usage: country_mmdb.py OUT.mmdb NETWORK=CC:Country:CONTINENT_CODE:Continent ...", file=sys.stderr)
        return 2
    try:
        blob = build(dict(parse(spec) for spec in argv[1:]))
    except ValueError as exc:
        print("country_mmdb.py: %s" % exc, file=sys.stderr)
        return 2
    with open(argv[0], "wb") as handle:
        handle.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

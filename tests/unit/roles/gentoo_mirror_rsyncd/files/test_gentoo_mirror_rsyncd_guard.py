# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the rsyncd guard the role gentoo_mirror_rsyncd installs (its path:
tests/testbed/role_programs.py): reading the daemon's log lines and choosing which connections to close. The molecule scenario
`default` proves it against a real daemon with real sockets."""

import argparse
import signal

import pytest


@pytest.fixture(scope="module")
def guard(role_program):
    return role_program("gentoo_mirror_rsyncd_guard")


@pytest.mark.parametrize("addr,key", [
    ("192.0.2.7", "192.0.2.7"),
    ("::ffff:192.0.2.7", "192.0.2.7"),                       # IPv4 on an IPv6 socket
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),           # one IPv6 client holds a /64
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("not-an-address", "not-an-address"),
])
def test_source_key(guard, addr, key):
    assert guard.source_key(addr) == key


def test_log_tracks_connections_and_their_transfers(guard, tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "uptime", lambda: 100.0)
    path = tmp_path / "rsyncd.log"
    path.write_text("2026/12/03 09:00:00 [41] connect from client.example (192.0.2.7)\n"
                    "2026/12/03 09:00:00 [42] connect from UNKNOWN (2001:db8::5)\n"
                    "2026/12/03 09:00:01 [41] rsync on gentoo/distfiles/ from client.example (192.0.2.7)\n"
                    "2026/12/03 09:00:01 [43] connect from x (192.0.2.9")  # line still being written
    log = guard.Log(str(path))
    assert log.read()
    assert log.conns == {41: ["192.0.2.7", 100.0, True], 42: ["2001:db8::/64", 100.0, False]}
    assert not log.read()  # nothing new
    with path.open("a") as handle:
        handle.write(")\n")
    assert log.read()
    assert log.conns[43] == ["192.0.2.9", 100.0, False]


def test_log_starts_over_after_copytruncate(guard, tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "uptime", lambda: 5.0)
    path = tmp_path / "rsyncd.log"
    path.write_text("2026/12/03 09:00:00 [7] connect from a (192.0.2.1)\n" * 3)
    log = guard.Log(str(path))
    log.read()
    path.write_text("2026/12/03 10:00:00 [8] connect from b (192.0.2.2)\n")  # shorter: truncated
    log.read()
    assert 8 in log.conns


def scan_with(guard, monkeypatch, tmp_path, conns, now, **limits):
    """scan() over fake children: conns {pid: (start time, source, transfer started)}; returns
    {pid: reason} of the connections it closes (the signals are recorded, not sent)."""
    pid_file = tmp_path / "rsyncd.pid"
    pid_file.write_text("1\n")
    monkeypatch.setattr(guard, "children", lambda pid: sorted(conns))
    monkeypatch.setattr(guard, "start_time", lambda pid: conns[pid][0])
    monkeypatch.setattr(guard, "uptime", lambda: now)
    sent = []
    monkeypatch.setattr(guard.os, "kill", lambda pid, sig: sent.append((pid, sig)))
    log = guard.Log(str(tmp_path / "none.log"))
    log.conns = {pid: [source, start, started] for pid, (start, source, started) in conns.items()}
    args = argparse.Namespace(handshake_timeout=limits.get("timeout", 30),
                              max_handshakes=limits.get("handshakes", 100),
                              max_per_source=limits.get("per_source", 16))
    closing = guard.scan(log, str(pid_file), args, {})
    assert sorted(pid for pid, dummy in sent) == sorted(closing)
    assert all(sig == signal.SIGTERM for dummy, sig in sent)
    return {pid: reason for pid, (reason, dummy) in closing.items()}


def test_idle_handshakes_are_closed_after_the_timeout_but_transfers_are_not(guard, monkeypatch, tmp_path):
    conns = {10: (0.0, "192.0.2.1", False),   # silent for 31 s
             11: (0.0, "192.0.2.2", True),    # transfer running for 31 s
             12: (20.0, "192.0.2.3", False)}  # handshake for 11 s
    closing = scan_with(guard, monkeypatch, tmp_path, conns, now=31.0)
    assert list(closing) == [10] and "no transfer started within 30 s" in closing[10]


def test_a_source_beyond_its_share_loses_its_newest_connections(guard, monkeypatch, tmp_path):
    conns = {100 + i: (float(i), "192.0.2.7", True) for i in range(5)}
    conns[200] = (0.0, "192.0.2.8", True)
    closing = scan_with(guard, monkeypatch, tmp_path, conns, now=6.0, per_source=3)
    assert sorted(closing) == [103, 104]
    assert scan_with(guard, monkeypatch, tmp_path, conns, now=6.0, per_source=0) == {}  # switched off


def test_too_many_handshakes_lose_the_oldest(guard, monkeypatch, tmp_path):
    conns = {300 + i: (float(i), "198.51.100.%d" % i, False) for i in range(6)}
    closing = scan_with(guard, monkeypatch, tmp_path, conns, now=6.0, handshakes=4)
    assert sorted(closing) == [300, 301]
    assert all("more than 4 connections in the handshake" in r for r in closing.values())


def test_a_recycled_pid_is_left_alone(guard, monkeypatch, tmp_path):
    # The process started well after its log line was read: another connection got the number.
    pid_file = tmp_path / "rsyncd.pid"
    pid_file.write_text("1\n")
    monkeypatch.setattr(guard, "children", lambda pid: [9])
    monkeypatch.setattr(guard, "start_time", lambda pid: 50.0)
    monkeypatch.setattr(guard, "uptime", lambda: 100.0)
    monkeypatch.setattr(guard.os, "kill", lambda pid, sig: pytest.fail("signalled a recycled pid"))
    log = guard.Log(str(tmp_path / "none.log"))
    log.conns = {9: ["192.0.2.1", 10.0, False]}
    args = argparse.Namespace(handshake_timeout=30, max_handshakes=100, max_per_source=16)
    assert guard.scan(log, str(pid_file), args, {}) == {}

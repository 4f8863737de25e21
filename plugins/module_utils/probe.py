# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bounded live probes: hold N connections to a service open at the same time and count how
many of them the service really serves."""

from __future__ import annotations

import errno
import selectors
import socket
import time

MAX_PROBE_CONNECTIONS = 1000


def http_request(path, host):
    return ('GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mirrorkit.gentoo.connection_limits\r\n'
            'Accept-Encoding: identity\r\n\r\n' % (path, host)).encode('ascii')


def http_status(buffer):
    """Status code from the first response line, or None while it is incomplete."""
    if b'\r\n' not in buffer and b'\n' not in buffer:
        return None
    first = buffer.split(b'\n', 1)[0].decode('latin-1').strip()
    parts = first.split()
    if len(parts) >= 2 and parts[0].startswith('HTTP/') and parts[1].isdigit():
        return int(parts[1])
    return -1


def rsync_reply(buffer):
    """Outcome of an rsync daemon conversation so far: 'served', 'refused' or None.

    After the client's version and module name, the daemon sends optional MOTD lines and
    then ``@RSYNCD: OK`` (or ``@RSYNCD: AUTHREQD`` for a module with a login), or
    ``@ERROR: max connections (N) reached -- try again later``.
    """
    for line in buffer.split(b'\n')[:-1]:
        text = line.decode('latin-1').strip()
        if text.startswith('@RSYNCD: OK') or text.startswith('@RSYNCD: AUTHREQD'):
            return 'served', text
        if text.startswith('@ERROR') or text.startswith('@RSYNCD: EXIT'):
            return 'refused', text
    return None, None


class _Conn(object):
    def __init__(self, sock):
        self.sock = sock
        self.state = 'connecting'
        self.buffer = b''
        self.outcome = None
        self.detail = None


def run_probe(kind, host, port, count, timeout, http_path='/', http_host=None, rsync_module=None,
              clock=time.monotonic, window=8):
    """Hold up to ``count`` connections open at the same time and count how many are served.

    Connections are opened a few at a time (at most ``window`` waiting for their first answer),
    because a daemon's small listen backlog (rsync's is 5) drops handshakes that arrive all at
    once; every connection that was answered stays open until the probe ends, so the served
    ones were all held at the same moment. The probe stops after ``timeout`` seconds.

    HTTP: a GET is sent on each; a connection counts as served when its status line reads
    200 (the body is not read, so a large file keeps the server busy with every connection).
    rsync: the daemon's ``@RSYNCD:`` greeting is answered and the module requested; a
    connection counts as served on ``@RSYNCD: OK`` (or ``AUTHREQD``).
    """
    count = max(0, min(int(count), MAX_PROBE_CONNECTIONS))
    started = clock()
    deadline = started + timeout
    sel = selectors.DefaultSelector()
    conns = []
    result = {'protocol': kind, 'host': host, 'port': port, 'attempted': count, 'opened': 0,
              'served': 0, 'refused': 0, 'unanswered': 0, 'errors': 0, 'statuses': {},
              'sample_refusal': None, 'sample_error': None}
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        result.update(errors=count, sample_error='cannot resolve %s: %s' % (host, exc),
                      seconds=round(clock() - started, 3))
        return result
    family, socktype, proto, dummy_name, address = infos[0]

    def waiting():
        return len([c for c in conns if c.state in ('connecting', 'reading')])

    def open_one():
        sock = socket.socket(family, socktype, proto)
        sock.setblocking(False)
        conn = _Conn(sock)
        conns.append(conn)
        err = sock.connect_ex(address)
        if err not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            conn.state, conn.outcome, conn.detail = 'done', 'error', errno.errorcode.get(err, str(err))
            return
        sel.register(sock, selectors.EVENT_WRITE, conn)

    try:
        while clock() < deadline:
            while len(conns) < count and waiting() < window:
                open_one()
            if len(conns) >= count and waiting() == 0 and \
                    all(c.state == 'done' for c in conns):
                break
            if not sel.get_map():
                if len(conns) >= count:
                    break
                continue
            for sel_key, events in sel.select(timeout=max(0.0, min(0.2, deadline - clock()))):
                conn = sel_key.data
                try:
                    _step(conn, events, sel, kind, host, http_path, http_host, rsync_module)
                except (OSError, socket.error) as exc:
                    conn.state, conn.outcome, conn.detail = 'done', 'error', str(exc)
                if conn.state == 'done':
                    try:
                        sel.unregister(conn.sock)
                    except (KeyError, ValueError):
                        pass
    finally:
        result['opened'] = len(conns)
        for conn in conns:
            if conn.outcome == 'served':
                result['served'] += 1
            elif conn.outcome == 'refused':
                result['refused'] += 1
                result['sample_refusal'] = result['sample_refusal'] or conn.detail
            elif conn.outcome == 'error':
                result['errors'] += 1
                result['sample_error'] = result['sample_error'] or conn.detail
            if kind == 'http' and isinstance(conn.detail, int):
                result['statuses'][str(conn.detail)] = result['statuses'].get(str(conn.detail), 0) + 1
            try:
                conn.sock.close()
            except (OSError, socket.error):
                pass
        sel.close()
    result['unanswered'] = count - result['served'] - result['refused'] - result['errors']
    result['seconds'] = round(clock() - started, 3)
    return result


def _step(conn, events, sel, kind, host, http_path, http_host, rsync_module):
    if conn.state == 'connecting':
        err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            conn.state, conn.outcome, conn.detail = 'done', 'error', errno.errorcode.get(err, str(err))
            return
        if kind == 'http':
            conn.sock.sendall(http_request(http_path, http_host or host))
        conn.state = 'reading'
        sel.modify(conn.sock, selectors.EVENT_READ, conn)
        return
    data = conn.sock.recv(4096)
    if not data:
        conn.state, conn.outcome = 'done', 'refused'
        conn.detail = conn.detail or 'connection closed before an answer'
        return
    conn.buffer += data
    if kind == 'http':
        status = http_status(conn.buffer)
        if status is not None:
            conn.state, conn.detail = 'done', status
            conn.outcome = 'served' if status == 200 else 'refused'
        return
    if conn.state == 'reading':
        if b'\n' not in conn.buffer:
            return
        greeting, rest = conn.buffer.split(b'\n', 1)
        if not greeting.startswith(b'@RSYNCD:'):
            conn.state, conn.outcome, conn.detail = 'done', 'refused', greeting.decode('latin-1')
            return
        conn.sock.sendall(b'@RSYNCD: 30.0\n' + rsync_module.encode('utf-8') + b'\n')
        conn.state = 'module'
        conn.buffer = rest
    outcome, text = rsync_reply(conn.buffer)
    if outcome:
        conn.state, conn.outcome, conn.detail = 'done', outcome, text

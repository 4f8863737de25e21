# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parse the output of ``nginx -T`` and work out how many clients nginx can serve at once."""

from __future__ import annotations

import fnmatch
import os
import re

# nginx's built-in default when the events block does not set worker_connections.
DEFAULT_WORKER_CONNECTIONS = 512
# Descriptors a worker holds besides client connections and listening sockets: log files,
# the epoll instance, an eventfd, channel sockets to the master. Kept generous on purpose.
RESERVED_FDS = 10
# A client downloading a file holds two descriptors: its socket and the open file.
FDS_PER_CLIENT = 2

_HEADER = re.compile(r'^# configuration file (?P<name>.+):\s*$')


class NginxParseError(Exception):
    pass


def split_dump(text):
    """Split ``nginx -T`` output into ``[(file name, content, first line number)]``.

    nginx prints each file it read after a ``# configuration file NAME:`` line, the main file
    first, then the included files in the order it read them.
    """
    files = []
    current = None
    lines = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            if current is not None:
                files.append((current, '\n'.join(lines)))
            current = match.group('name')
            lines = []
        elif current is not None:
            lines.append(line)
    if current is not None:
        files.append((current, '\n'.join(lines)))
    return files


def tokenize(text):
    """nginx tokens as ``(token, line, quoted)``; ``{``, ``}`` and ``;`` are tokens too."""
    tokens = []
    i = 0
    line = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '\n':
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == '#':
            while i < n and text[i] != '\n':
                i += 1
        elif c in '{};':
            tokens.append((c, line, False))
            i += 1
        elif c in '"\'':
            quote = c
            start_line = line
            i += 1
            buf = []
            while i < n and text[i] != quote:
                if text[i] == '\\' and i + 1 < n:
                    i += 1
                if text[i] == '\n':
                    line += 1
                buf.append(text[i])
                i += 1
            i += 1
            tokens.append((''.join(buf), start_line, True))
        else:
            buf = []
            while i < n and not text[i].isspace() and text[i] not in '{};':
                if text[i] == '\\' and i + 1 < n:
                    buf.append(text[i])
                    i += 1
                buf.append(text[i])
                i += 1
            tokens.append((''.join(buf), line, False))
    return tokens


def parse_block(tokens, name):
    """Tokens of one file into a nested list of directives (dicts)."""
    pos = [0]

    def block(depth):
        items = []
        words = []
        while pos[0] < len(tokens):
            tok, line, quoted = tokens[pos[0]]
            pos[0] += 1
            if not quoted and tok == ';':
                if words:
                    items.append({'name': words[0][0], 'args': [w[0] for w in words[1:]],
                                  'file': name, 'line': words[0][1], 'block': None})
                words = []
            elif not quoted and tok == '{':
                if not words:
                    raise NginxParseError('%s line %d: block without a name' % (name, line))
                children = block(depth + 1)
                items.append({'name': words[0][0], 'args': [w[0] for w in words[1:]],
                              'file': name, 'line': words[0][1], 'block': children})
                words = []
            elif not quoted and tok == '}':
                if depth == 0:
                    raise NginxParseError('%s line %d: unexpected "}"' % (name, line))
                return items
            else:
                words.append((tok, line))
        if depth != 0:
            raise NginxParseError('%s: unexpected end of file, "}" missing' % name)
        return items

    return block(0)


def load(text):
    """Parse ``nginx -T`` output into the effective tree, includes resolved in place."""
    files = split_dump(text)
    if not files:
        raise NginxParseError('no "# configuration file" sections in the nginx -T output')
    parsed = {}
    order = []
    for name, content in files:
        if name not in parsed:
            parsed[name] = parse_block(tokenize(content), name)
            order.append(name)
    main = files[0][0]
    prefix = os.path.dirname(main)

    def resolve(items, depth):
        if depth > 20:
            raise NginxParseError('include nesting deeper than 20 levels')
        out = []
        for item in items:
            if item['name'] == 'include' and item['block'] is None and item['args']:
                pattern = item['args'][0]
                if not pattern.startswith('/'):
                    pattern = os.path.join(prefix, pattern)
                for name in order:
                    if name == pattern or fnmatch.fnmatchcase(name, pattern):
                        out.extend(resolve(parsed[name], depth + 1))
                continue
            if item['block'] is not None:
                item = dict(item, block=resolve(item['block'], depth + 1))
            out.append(item)
        return out

    return {'main_file': main, 'files': order, 'tree': resolve(parsed[main], 0)}


def _find(items, name):
    return [i for i in items if i['name'] == name]


def _first(items, name):
    found = _find(items, name)
    return found[0] if found else None


def _walk(items, context, into=('http', 'server', 'location', 'if', 'limit_except')):
    """Yield (directive, context path) for every directive below ``items``."""
    for item in items:
        yield item, context
        if item['block'] is not None and item['name'] in into:
            yield from _walk(item['block'], context + [item['name']], into)


def _where(item):
    return {'file': item['file'], 'line': item['line']}


def normalize_listen(arg):
    """A listen argument to ``address:port``; ``80`` and ``0.0.0.0:80`` become ``*:80``."""
    if arg.startswith('unix:'):
        return arg
    if arg.startswith('['):
        addr, _sep, port = arg.partition(']')
        return '%s]:%s' % (addr, port.lstrip(':') or '80')
    if arg.isdigit():
        return '*:%s' % arg
    if ':' in arg:
        addr, port = arg.rsplit(':', 1)
    else:
        addr, port = arg, '80'
    if addr in ('0.0.0.0', '*'):
        addr = '*'
    return '%s:%s' % (addr, port)


def summarize(conf):
    """The figures that bound concurrency, each with the file and line it came from."""
    tree = conf['tree']
    summary = {'main_file': conf['main_file'], 'files': conf['files']}

    wp = _first(tree, 'worker_processes')
    summary['worker_processes'] = dict(_where(wp), value=wp['args'][0] if wp['args'] else '1') if wp else None
    nofile = _first(tree, 'worker_rlimit_nofile')
    summary['worker_rlimit_nofile'] = dict(_where(nofile), value=int(nofile['args'][0])) if nofile else None

    wc = None
    events = _first(tree, 'events')
    if events is not None:
        item = _first(events['block'], 'worker_connections')
        if item is not None:
            wc = dict(_where(item), value=int(item['args'][0]))
    summary['worker_connections'] = wc

    listens = []
    zones = {}
    limits = []
    cache = None
    for item, context in _walk(_find(tree, 'http'), []):
        if item['name'] == 'open_file_cache':
            size = [a for a in item['args'] if a.startswith('max=')]
            if size and (cache is None or int(size[0][4:]) > cache['value']):
                cache = dict(_where(item), value=int(size[0][4:]))
        if item['name'] == 'server' and item['block'] is not None and context == ['http']:
            found = [i for i in item['block'] if i['name'] == 'listen']
            if not found:
                listens.append('*:80')
            for listen in found:
                listens.append(normalize_listen(listen['args'][0]))
        elif item['name'] == 'limit_conn_zone' and len(item['args']) >= 2:
            key = item['args'][0]
            zone = [a for a in item['args'][1:] if a.startswith('zone=')]
            if zone:
                zones[zone[0][5:].split(':')[0]] = key
        elif item['name'] == 'limit_conn' and len(item['args']) >= 2:
            limits.append(dict(_where(item), zone=item['args'][0], value=int(item['args'][1]),
                               context='/'.join(context) or 'main'))
    for limit in limits:
        key = zones.get(limit['zone'])
        limit['key'] = key
        # A zone keyed by the client address limits each client, not the whole server.
        limit['per_client'] = bool(key) and 'remote_addr' in key
    summary['limit_conn'] = limits
    # Descriptors open_file_cache may keep open besides those of the clients (largest setting).
    summary['open_file_cache'] = cache
    summary['listen'] = unique_listen_sockets(listens)
    return summary


def unique_listen_sockets(listens):
    """Sockets nginx really opens: a wildcard on a port covers the addresses on that port."""
    unique = sorted(set(listens))
    wild4 = set(l.split(':', 1)[1] for l in unique if l.startswith('*:'))
    out = []
    for listen in unique:
        if not listen.startswith(('*', '[', 'unix:')) and listen.rsplit(':', 1)[1] in wild4:
            continue
        out.append(listen)
    return out


def capacity(summary, nproc, nofile=None, file_max=None):
    """How many clients nginx can serve at once, and what limits it.

    ``nofile`` is ``{'value': N, 'source': text, 'file': path or None}`` for the soft
    open-files limit nginx workers inherit (used only when ``worker_rlimit_nofile`` is not
    set). Each worker can hold ``worker_connections`` connections, of which one per listening
    socket is taken by the socket itself; and it can open ``nofile`` descriptors, of which each
    downloading client needs two (socket and file) after the listening sockets, a small
    reserve and the descriptors ``open_file_cache max=`` may keep open. The capacity is workers × the smaller of the two, further capped by any
    ``limit_conn`` whose key is not the client address and by the host's fs.file-max.
    """
    wp = summary['worker_processes']
    raw = wp['value'] if wp else '1'
    workers = nproc if raw == 'auto' else int(raw)
    listen = len(summary['listen'])

    wc = summary['worker_connections']
    wc_value = wc['value'] if wc else DEFAULT_WORKER_CONNECTIONS
    conn_slots = max(wc_value - listen, 0)
    candidates = [{
        'directive': 'worker_connections',
        'value': wc_value,
        'file': wc['file'] if wc else None,
        'line': wc['line'] if wc else None,
        'default': wc is None,
        'per_worker': conn_slots,
        'capacity': workers * conn_slots,
        'explanation': '%d worker process%s x (worker_connections %d - %d listening socket%s)'
                       % (workers, '' if workers == 1 else 'es', wc_value, listen, '' if listen == 1 else 's'),
    }]

    rl = summary['worker_rlimit_nofile']
    if rl:
        nofile = {'value': rl['value'], 'directive': 'worker_rlimit_nofile', 'file': rl['file'],
                  'line': rl['line'], 'source': 'worker_rlimit_nofile'}
    cache = summary.get('open_file_cache')
    cached = cache['value'] if cache else 0
    if nofile and nofile.get('value'):
        fd_slots = max((nofile['value'] - listen - RESERVED_FDS - cached) // FDS_PER_CLIENT, 0)
        candidates.append({
            'directive': nofile.get('directive', 'LimitNOFILE'),
            'value': nofile['value'],
            'file': nofile.get('file'),
            'line': nofile.get('line'),
            'default': False,
            'per_worker': fd_slots,
            'capacity': workers * fd_slots,
            'explanation': '%d worker process%s x (open files %d (%s) - %d listening - %d reserved%s) / %d per client'
                           % (workers, '' if workers == 1 else 'es', nofile['value'], nofile['source'],
                              listen, RESERVED_FDS,
                              ' - %d open_file_cache' % cached if cached else '', FDS_PER_CLIENT),
        })

    for limit in summary['limit_conn']:
        if not limit['per_client']:
            candidates.append({
                'directive': 'limit_conn', 'value': limit['value'], 'file': limit['file'],
                'line': limit['line'], 'default': False, 'per_worker': None,
                'capacity': limit['value'],
                'explanation': 'limit_conn %s %d in %s (zone key %s is not per client)'
                               % (limit['zone'], limit['value'], limit['context'], limit['key']),
            })

    if file_max:
        fm_cap = file_max // FDS_PER_CLIENT
        candidates.append({
            'directive': 'fs.file-max', 'value': file_max, 'file': '/proc/sys/fs/file-max',
            'line': None, 'default': False, 'per_worker': None, 'capacity': fm_cap,
            'explanation': 'host-wide open files %d / %d per client' % (file_max, FDS_PER_CLIENT),
        })

    limiting = min(candidates, key=lambda c: c['capacity'])
    return {
        'capacity': limiting['capacity'],
        'workers': workers,
        'worker_processes': raw,
        'worker_connections': wc_value,
        'nofile': nofile['value'] if nofile else None,
        'nofile_source': nofile['source'] if nofile else None,
        'listen_sockets': summary['listen'],
        'open_file_cache': cached,
        'limit_conn': summary['limit_conn'],
        'limiting': limiting,
        'candidates': candidates,
    }


def parse_systemctl_show(text):
    """``Key=Value`` lines of ``systemctl show`` into a dict."""
    out = {}
    for line in text.splitlines():
        if '=' in line:
            key, value = line.split('=', 1)
            out[key.strip()] = value.strip()
    return out


def parse_limit(value):
    """A systemd or /proc limit (``1024``, ``infinity``, ``unlimited``) to int or None."""
    if value is None:
        return None
    value = value.strip()
    if value in ('infinity', 'unlimited', ''):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def parse_proc_limits(text):
    """Soft and hard 'Max open files' from /proc/PID/limits."""
    for line in text.splitlines():
        if line.startswith('Max open files'):
            fields = line[len('Max open files'):].split()
            if len(fields) >= 2:
                return parse_limit(fields[0]), parse_limit(fields[1])
    return None, None


def unit_setting_file(texts, setting='LimitNOFILE'):
    """The unit file that sets ``setting`` last, from ``[(path, text)]`` in systemd's order
    (the unit file, then its drop-ins); None when none of them sets it."""
    found = None
    for path, text in texts:
        for line in (text or '').splitlines():
            if line.strip().startswith(setting + '='):
                found = path
    return found

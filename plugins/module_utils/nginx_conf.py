# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parse the output of ``nginx -T``: the effective configuration tree and the figures that bound
concurrency, each with the file and line it came from (nginx_sizing turns them into a capacity)."""

from __future__ import annotations

import fnmatch
import os
import re

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

    processes = _first(tree, 'worker_processes')
    summary['worker_processes'] = dict(
        _where(processes), value=processes['args'][0] if processes['args'] else '1') if processes else None
    nofile = _first(tree, 'worker_rlimit_nofile')
    summary['worker_rlimit_nofile'] = dict(_where(nofile), value=int(nofile['args'][0])) if nofile else None

    connections = None
    events = _first(tree, 'events')
    if events is not None:
        item = _first(events['block'], 'worker_connections')
        if item is not None:
            connections = dict(_where(item), value=int(item['args'][0]))
    summary['worker_connections'] = connections

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
    wildcard_ports = set(listen.split(':', 1)[1] for listen in unique if listen.startswith('*:'))
    out = []
    for listen in unique:
        if not listen.startswith(('*', '[', 'unix:')) and listen.rsplit(':', 1)[1] in wildcard_ports:
            continue
        out.append(listen)
    return out

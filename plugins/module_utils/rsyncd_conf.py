# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parse rsyncd.conf and work out how many clients each module accepts at once."""

from __future__ import annotations

import os

DEFAULT_LOCK_FILE = '/var/run/rsyncd.lock'


def key(name):
    """rsyncd.conf parameter names ignore case, spaces and underscores."""
    return name.lower().replace(' ', '').replace('_', '').replace('\t', '')


def parse(text, name='/etc/rsyncd.conf'):
    """Parse rsyncd.conf text.

    Returns ``{'file': name, 'global': params, 'modules': [(module, params, line)],
    'directives': [...]}`` where params map normalized names to
    ``{'name': as written, 'value': str, 'file': name, 'line': n}``. Lines ending in a
    backslash continue on the next line; ``#`` and ``;`` start comment lines. ``&include``
    and ``&merge`` directives are listed in ``directives`` (not followed).
    """
    conf = {'file': name, 'global': {}, 'modules': [], 'directives': []}
    current = conf['global']
    pending = ''
    pending_line = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if pending:
            line = pending + line
        elif line:
            pending_line = number
        if line.endswith('\\'):
            pending = line[:-1]
            continue
        pending = ''
        start = pending_line or number
        if not line or line[0] in '#;':
            continue
        if line.startswith('&'):
            conf['directives'].append({'line': start, 'text': line})
            continue
        if line.startswith('[') and line.endswith(']'):
            module = line[1:-1].strip()
            current = {}
            conf['modules'].append((module, current, start))
            continue
        if '=' not in line:
            continue
        param_name, value = line.split('=', 1)
        current[key(param_name)] = {'name': param_name.strip(), 'value': value.strip(), 'file': name, 'line': start}
    return conf


def _lookup(conf, params, name):
    """A module's parameter ``name`` (or the global section's), and whether it is inherited."""
    normalized = key(name)
    if normalized in params:
        return params[normalized], False
    if normalized in conf['global']:
        return conf['global'][normalized], True
    return None, False


def module_capacity(conf, module, params, line, exists=os.path.exists):
    """Concurrent clients one module accepts, and what limits it.

    ``max connections`` (in the module, or in the global section) counts; 0 (the default)
    means no limit and a negative value switches the module off. A limit needs the
    ``lock file`` (default /var/run/rsyncd.lock); when its directory is missing, rsync refuses
    every client of the module.
    """
    max_conn_setting, inherited = _lookup(conf, params, 'max connections')
    lock, lock_inherited = _lookup(conf, params, 'lock file')
    lock_path = lock['value'] if lock else DEFAULT_LOCK_FILE
    try:
        max_conn = int(max_conn_setting['value']) if max_conn_setting else 0
    except ValueError:
        max_conn = 0
    where = {'file': conf['file'], 'line': max_conn_setting['line'] if max_conn_setting else line}
    section = 'global section' if inherited else 'module [%s]' % module
    info = {
        'module': module,
        'max_connections': max_conn,
        'lock_file': lock_path,
        'lock_file_dir_exists': bool(exists(os.path.dirname(lock_path) or '/')),
        'lock_file_exists': bool(exists(lock_path)),
    }
    if max_conn == 0:
        info.update(capacity=None, limiting={
            'directive': 'max connections', 'value': 0, 'default': max_conn_setting is None,
            'explanation': 'max connections is %s: no limit' % ('not set' if max_conn_setting is None else '0'),
            'section': section, 'file': where['file'], 'line': where['line'] if max_conn_setting else None})
        return info
    if max_conn < 0:
        info.update(capacity=0, limiting=dict(where, directive='max connections', value=max_conn,
                                              default=False, section=section,
                                              explanation='a negative max connections switches the module off'))
        return info
    if not info['lock_file_dir_exists']:
        info.update(capacity=0, limiting={
            'directive': 'lock file', 'value': lock_path, 'default': lock is None,
            'file': conf['file'], 'line': lock['line'] if lock else None,
            'section': 'global section' if lock_inherited or lock is None else 'module [%s]' % module,
            'explanation': 'max connections needs the lock file %s, whose directory does not exist' % lock_path})
        return info
    info.update(capacity=max_conn, limiting=dict(where, directive='max connections', value=max_conn,
                                                 default=False, section=section,
                                                 explanation='max connections = %d in the %s' % (max_conn, section)))
    return info


def capacity(conf, modules=None, exists=os.path.exists):
    """Per-module figures and the smallest capacity among the modules asked about
    (``None`` means unlimited)."""
    results = []
    for module, params, line in conf['modules']:
        if modules and module not in modules:
            continue
        results.append(module_capacity(conf, module, params, line, exists=exists))
    limited = [r for r in results if r['capacity'] is not None]
    worst = min(limited, key=lambda r: r['capacity']) if limited else None
    return {
        'modules': results,
        'capacity': worst['capacity'] if worst else None,
        'limiting': dict(worst['limiting'], module=worst['module']) if worst else (
            dict(results[0]['limiting'], module=results[0]['module']) if results else None),
    }

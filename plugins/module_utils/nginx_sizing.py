# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one model of what an nginx worker needs to serve its clients, used both ways.

A worker spends file descriptors on: each connection's socket, the open file of each client
it is serving (a static mirror has no upstream connections), the descriptors
``open_file_cache max=`` may keep open, its listening sockets, and a few of its own (log
files, the epoll instance, an eventfd, the channel to the master). So a client being served
costs FDS_PER_CLIENT (2) descriptors and a connection only waiting for its turn costs one.

- plan_worker_limits() sizes nginx for the nginx role (filter ``mirrorkit.gentoo.nginx_sizing``):
  from the clients to serve it works out ``worker_connections`` and the open-files limit
  (``LimitNOFILE``), with room for a crowd that is answered with a 503, within the hard limit
  systemd may give a service (PID 1's).
- capacity() checks a live configuration for the connection_limits module: from the
  ``worker_connections`` and the open-files limit nginx really has it works out how many
  clients can be served at once.

Both count the same descriptors with the same descriptors_left() and clients_within(); they
differ only in the reserve. The role plans with its own reserve
(``gentoo_mirror_nginx_reserve``, 64 by default), headroom it adds both as connections and as
descriptors, which also covers the listening sockets. The check judges a configuration that
an admin may have written by hand, so it counts the listening sockets it finds and only the
descriptors a worker really holds besides them (WORKER_OWN_FDS, 10): it says what that
configuration can take, not what the role would plan.
"""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

# A client being served holds two descriptors: its socket and the file it downloads.
FDS_PER_CLIENT = 2
# Descriptors a worker holds besides client connections and listening sockets: log files,
# the epoll instance, an eventfd, channel sockets to the master. Kept generous on purpose.
WORKER_OWN_FDS = 10
# nginx's built-in default when the events block does not set worker_connections.
DEFAULT_WORKER_CONNECTIONS = 512
# The most connection slots the role gives a worker, however large the crowd factor.
MAX_WORKER_CONNECTIONS = 65536
# The open-files ceiling counted for a hard limit of 'unlimited' (or unknown): the kernel's
# default fs.nr_open, the most a process may open.
UNLIMITED_NOFILE = 1048576


def descriptors_left(nofile, open_file_cache, reserve, listening=0):
    """Descriptors a worker has for its connections and their files under ``nofile``."""
    return nofile - open_file_cache - reserve - listening


def clients_within(descriptors):
    """Clients that can be served at once with ``descriptors`` (two each)."""
    return descriptors // FDS_PER_CLIENT


def _whole_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError('%s must be a whole number, not %r' % (name, value))
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip('-').isdigit():
            raise ValueError('%s must be a whole number, not %r' % (name, value))
        return int(text)
    return value


def _flag(name, value):
    try:
        return boolean(value)
    except TypeError:
        raise ValueError('%s must be a boolean, not %r' % (name, value))


def _hard_limit(value):
    """PID 1's hard nofile limit as a number: 'unlimited' ('infinity' in systemd's words) or
    None (not known) count as UNLIMITED_NOFILE."""
    if value is None or (isinstance(value, str) and value.strip() in ('unlimited', 'infinity')):
        return UNLIMITED_NOFILE
    return _whole_number('hard_nofile', value)


def plan_worker_limits(max_connections, http, https, crowd_factor, reserve, open_file_cache_max,
                       hard_nofile):
    """``worker_connections`` and the open-files limit that let each worker serve the load.

    ``max_connections`` clients per protocol are served at once; with both ``http`` and
    ``https`` on, the two protocols share the workers, so twice as many. Every worker is sized
    for the whole load (without reuseport the kernel may hand most connections to one worker),
    plus ``reserve``. It gets ``crowd_factor`` times as many connection slots (at most
    MAX_WORKER_CONNECTIONS) so that a crowd beyond them is answered, with a 503, not dropped.

    Descriptors wanted: one per slot, one more per client being served (its file), the
    ``open_file_cache_max`` the cache may hold and ``reserve``; the open-files limit is that,
    but no more than ``hard_nofile`` (PID 1's hard limit, which systemd cannot exceed for a
    service: an int, a numeric string, ``'unlimited'``, or None when not known). Under a lower limit the crowd's
    room shrinks first; the served clients keep two descriptors each as long as it allows.

    Returns ``nofile``, ``worker_connections``, ``wanted_connections`` (clients to serve plus
    the reserve) and ``capped`` (fewer slots than ``wanted_connections``: not only less room
    for a crowd). Raises ValueError for a number that is not a whole number and for a
    flag that is not a boolean.
    """
    max_connections = _whole_number('max_connections', max_connections)
    crowd_factor = _whole_number('crowd_factor', crowd_factor)
    reserve = _whole_number('reserve', reserve)
    open_file_cache_max = _whole_number('open_file_cache_max', open_file_cache_max)
    ceiling = _hard_limit(hard_nofile)
    http, https = _flag('http', http), _flag('https', https)
    protocols = 2 if http and https else 1

    wanted_connections = max_connections * protocols + reserve
    slots = min(crowd_factor * wanted_connections, MAX_WORKER_CONNECTIONS)
    wanted_nofile = slots + wanted_connections + open_file_cache_max + reserve
    nofile = min(wanted_nofile, ceiling)
    spare = descriptors_left(nofile, open_file_cache_max, reserve)
    # Each slot takes its socket, each served client one more: slots = spare - served; but
    # never fewer slots than two descriptors per client allow.
    worker_connections = min(slots, max(spare - wanted_connections, clients_within(spare)))
    return {
        'nofile': nofile,
        'worker_connections': worker_connections,
        'wanted_connections': wanted_connections,
        'capped': worker_connections < wanted_connections,
    }


def _plural(count, word, plural_ending='s'):
    return '%d %s%s' % (count, word, '' if count == 1 else plural_ending)


def _worker_connections_bound(summary, workers, listen):
    configured = summary['worker_connections']
    value = configured['value'] if configured else DEFAULT_WORKER_CONNECTIONS
    per_worker = max(value - listen, 0)
    return {
        'directive': 'worker_connections',
        'value': value,
        'file': configured['file'] if configured else None,
        'line': configured['line'] if configured else None,
        'default': configured is None,
        'per_worker': per_worker,
        'capacity': workers * per_worker,
        'explanation': '%s x (worker_connections %d - %s)'
                       % (_plural(workers, 'worker process', 'es'), value, _plural(listen, 'listening socket')),
    }


def _open_files_bound(nofile, workers, listen, cached):
    per_worker = max(clients_within(descriptors_left(nofile['value'], cached, WORKER_OWN_FDS, listen)), 0)
    return {
        'directive': nofile.get('directive', 'LimitNOFILE'),
        'value': nofile['value'],
        'file': nofile.get('file'),
        'line': nofile.get('line'),
        'default': False,
        'per_worker': per_worker,
        'capacity': workers * per_worker,
        'explanation': '%s x (open files %d (%s) - %d listening - %d reserved%s) / %d per client'
                       % (_plural(workers, 'worker process', 'es'), nofile['value'], nofile['source'],
                          listen, WORKER_OWN_FDS,
                          ' - %d open_file_cache' % cached if cached else '', FDS_PER_CLIENT),
    }


def capacity(summary, nproc, nofile=None, file_max=None):
    """How many clients nginx can serve at once, and what limits it.

    ``summary`` is nginx_conf.summarize()'s. ``nofile`` is ``{'value': N, 'source': text,
    'file': path or None}`` for the soft open-files limit nginx workers inherit (used only when
    ``worker_rlimit_nofile`` is not set). Each worker can hold ``worker_connections``
    connections, of which one per listening socket is taken by the socket itself; and it can
    serve clients_within() the descriptors_left() of its open-files limit after the listening
    sockets, WORKER_OWN_FDS and what ``open_file_cache max=`` may keep open. The capacity is
    workers x the smaller of the two, further capped by any ``limit_conn`` whose key is not the
    client address and by the host's fs.file-max.
    """
    processes = summary['worker_processes']
    raw = processes['value'] if processes else '1'
    workers = nproc if raw == 'auto' else int(raw)
    listen = len(summary['listen'])
    candidates = [_worker_connections_bound(summary, workers, listen)]

    rlimit = summary['worker_rlimit_nofile']
    if rlimit:
        nofile = {'value': rlimit['value'], 'directive': 'worker_rlimit_nofile', 'file': rlimit['file'],
                  'line': rlimit['line'], 'source': 'worker_rlimit_nofile'}
    cache = summary.get('open_file_cache')
    cached = cache['value'] if cache else 0
    if nofile and nofile.get('value'):
        candidates.append(_open_files_bound(nofile, workers, listen, cached))

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
        candidates.append({
            'directive': 'fs.file-max', 'value': file_max, 'file': '/proc/sys/fs/file-max',
            'line': None, 'default': False, 'per_worker': None, 'capacity': clients_within(file_max),
            'explanation': 'host-wide open files %d / %d per client' % (file_max, FDS_PER_CLIENT),
        })

    limiting = min(candidates, key=lambda candidate: candidate['capacity'])
    return {
        'capacity': limiting['capacity'],
        'workers': workers,
        'worker_processes': raw,
        'worker_connections': candidates[0]['value'],
        'nofile': nofile['value'] if nofile else None,
        'nofile_source': nofile['source'] if nofile else None,
        'listen_sockets': summary['listen'],
        'open_file_cache': cached,
        'limit_conn': summary['limit_conn'],
        'limiting': limiting,
        'candidates': candidates,
    }

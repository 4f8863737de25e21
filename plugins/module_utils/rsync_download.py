# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Download from an rsync daemon with the rsync client: the login, choosing a file, and the
transfer into a private directory whose growth is sampled."""

from __future__ import annotations

import os
import threading
import time

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six.moves.urllib.parse import urlsplit, urlunsplit
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.rsync_listing import largest_file, parse_rsync_list, subdirectories
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.throughput import MeasureError, Samples

# Seconds between two looks at the size of the file being fetched.
POLL = 0.05


def rsync_base_args(module):
    params = module.params
    args = [params['rsync_path'] or module.get_bin_path('rsync', required=True),
            '--no-motd', '--timeout=%d' % max(1, int(params['timeout'])),
            '--contimeout=%d' % max(1, int(params['timeout']))]
    return args


def rsync_environment(module):
    """The rsync client's environment: the login's password, if any, never its arguments."""
    password = module.params['rsync_password']
    if not password and module.params['rsync_password_file']:
        try:
            with open(module.params['rsync_password_file'], encoding='utf-8') as handle:
                password = handle.readline().rstrip('\r\n')
        except (IOError, OSError) as exc:
            raise MeasureError('cannot read the rsync password file %s: %s'
                               % (module.params['rsync_password_file'], to_native(exc)))
    return {'RSYNC_PASSWORD': password} if password else {}


def with_rsync_user(url, user):
    """rsync://host/... with user@ put in front of the host, unless the URL names a user."""
    parts = urlsplit(url)
    if not user or '@' in parts.netloc:
        return url
    return urlunsplit((parts.scheme, '%s@%s' % (user, parts.netloc), parts.path, parts.query, parts.fragment))


def rsync_list(module, url):
    rc, out, err = module.run_command(rsync_base_args(module) + ['--list-only', url],
                                      environ_update=rsync_environment(module))
    if rc != 0:
        raise MeasureError('rsync --list-only %s failed (rc=%d): %s' % (url, rc, err.strip() or out.strip()))
    return parse_rsync_list(out)


def choose_rsync_file(module, url):
    """The URL of a file to fetch: ``url`` itself when it names a file, else the largest
    file found by listing ``url`` and some of its subdirectories (breadth first)."""
    if not url.endswith('/'):
        entries = rsync_list(module, url)
        base = url.rsplit('/', 1)[-1]
        if len(entries) == 1 and entries[0]['type'] == 'file' and entries[0]['name'] == base:
            return url, entries[0]['size']
        url += '/'
    queue = [url]
    best = None
    listings = 0
    while queue and listings < module.params['rsync_max_listings']:
        current = queue.pop(0)
        entries = rsync_list(module, current)
        listings += 1
        found = largest_file(entries)
        if found and (best is None or found['size'] > best[1]):
            best = (current + found['name'], found['size'])
            if best[1] >= module.params['max_bytes']:
                break
        queue.extend(current + name + '/' for name in subdirectories(entries))
    if best is None:
        raise MeasureError('found no file to download below %s (listed %d directories)' % (url, listings))
    return best


def dir_bytes(path):
    total = 0
    try:
        for name in os.listdir(path):
            try:
                total += os.lstat(os.path.join(path, name)).st_size
            except OSError:
                pass
    except OSError:
        pass
    return total


def download_rsync(module, url, clock=time.monotonic):
    """Fetch ``url`` with the rsync client into a private directory, sampling its growth."""
    params = module.params
    dest = os.path.join(module.tmpdir, 'bandwidth')
    os.mkdir(dest, 0o700)
    samples = Samples()
    state = {'stopped_by': 'end_of_file', 'proc': None, 'start': clock()}
    done = threading.Event()

    def watch():
        while not done.wait(POLL):
            now = clock() - state['start']
            size = dir_bytes(dest)
            samples.add(now, size)
            reason = None
            if size >= params['max_bytes']:
                reason = 'max_bytes'
            elif now >= params['max_seconds']:
                reason = 'max_seconds'
            if reason:
                state['stopped_by'] = reason
                try:
                    state['proc'].terminate()
                except OSError:
                    pass
                return

    def started(proc):
        state['proc'] = proc
        state['start'] = clock()
        threading.Thread(target=watch, name='bandwidth-watch').start()

    args = rsync_base_args(module) + ['--whole-file', url, dest + '/']
    try:
        rc, out, err = module.run_command(args, before_communicate_callback=started,
                                          environ_update=rsync_environment(module))
    finally:
        done.set()
    if rc != 0 and state['stopped_by'] == 'end_of_file':
        raise MeasureError('rsync %s failed (rc=%d): %s' % (url, rc, err.strip() or out.strip()))
    if state['stopped_by'] == 'end_of_file':
        # The last sample may predate the end of the file: add the final size now.
        size = dir_bytes(dest)
        if size > samples.total_bytes:
            samples.add(max(clock() - state['start'], samples.total_seconds), size)
    return samples


def stop_reason(samples, max_bytes, max_seconds):
    """The budget a finished rsync transfer ran into, judged from its samples ('end_of_file'
    when none)."""
    if samples.total_bytes >= max_bytes:
        return 'max_bytes'
    if samples.total_seconds >= max_seconds:
        return 'max_seconds'
    return 'end_of_file'


def measure_rsync(module, url):
    """Log in, choose a file below ``url`` and fetch it: returns (the file's URL, samples, why
    the transfer stopped), as download_http() does.

    A MeasureError carries in ``url`` the URL it happened at."""
    url = with_rsync_user(url, module.params['rsync_user'])
    try:
        url, dummy_size = choose_rsync_file(module, url)
        samples = download_rsync(module, url)
    except MeasureError as exc:
        exc.url = exc.url or url
        raise
    return url, samples, stop_reason(samples, module.params['max_bytes'], module.params['max_seconds'])

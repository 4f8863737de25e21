#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: bandwidth
short_description: Measure the throughput a host really gets from an HTTP, HTTPS or rsync source
version_added: 0.1.0
description:
  - Downloads from O(url) for at most O(max_seconds) and at most O(max_bytes), throws the data
    away, and reports the throughput in Mbit/s (10^6 bit per second). It measures; it does not
    trust a declared figure.
  - The first O(warmup_seconds) of the transfer (TCP slow start, a token bucket's first burst)
    are left out of the figure. A transfer too short to leave half a second after the warm-up
    is measured whole, and RV(warmup_discarded) says so.
  - Compares the figure with O(min_mbit) (below it the module fails) and O(recommended_mbit)
    (below it the module warns and returns RV(verdict=below_recommended)); RV(threshold)
    names the threshold that applies.
  - Also reports, as a separate and labelled figure, the link speed the kernel knows for the
    network interfaces (C(/sys/class/net/*/speed)). That is what the interface negotiated, not
    what the path to the source delivers.
  - "HTTP and HTTPS: O(url) must name a file; the body is read in chunks with a time budget.
    Compressed transfer encodings are not requested, so the bytes counted are the bytes that
    crossed the network."
  - "rsync: O(url) may name a file or a directory (for example an rsync module such as
    C(rsync://masterdistfiles.gentoo.org/gentoo/)). For a directory the module lists it and a
    few of its subdirectories with C(rsync --list-only) and takes the largest file it saw. The
    file is fetched by the C(rsync) client into a private temporary directory that is removed
    afterwards (so up to O(max_bytes) of disk space is used for the duration); the growth of the
    file is sampled every 50 ms to measure the throughput, and the client is stopped when the
    time or byte budget is spent."
  - Measured throughput counts payload bytes. Protocol headers (TCP/IP, Ethernet, TLS) take
    roughly 3 to 5 percent of the line rate, so a measurement reads that much below the line
    rate.
author:
  - mirrorkit developers (@mirrorkit)
extends_documentation_fragment:
  - mirrorkit.gentoo.attributes
requirements:
  - The C(rsync) client on the host for C(rsync://) URLs.
options:
  url:
    description:
      - What to download from. Schemes C(http), C(https) and C(rsync).
      - For C(http) and C(https) a file; choose one large enough to last O(max_seconds) at the
        speed you expect (a snapshot or stage tarball on a Gentoo mirror).
      - For C(rsync) a file or a directory (with or without the trailing slash).
    type: str
    required: true
  max_seconds:
    description:
      - Time budget of the download, in seconds, counted from the first byte of data (HTTP,
        HTTPS) or from the start of the rsync client (rsync).
    type: float
    default: 10
  max_bytes:
    description:
      - Byte budget of the download; the transfer stops when it has received this many bytes.
    type: int
    default: 1073741824
  warmup_seconds:
    description:
      - The data received in this first part of the transfer is not counted. V(0) counts
        everything.
    type: float
    default: 1
  min_mbit:
    description:
      - Minimum throughput in Mbit/s. Below it the module fails. Gentoo's source mirror policy
        asks for at least 5 Mbit/s.
    type: float
    default: 5
  recommended_mbit:
    description:
      - Recommended throughput in Mbit/s. Below it (and at or above O(min_mbit)) the module
        warns and returns RV(verdict=below_recommended). Gentoo strongly recommends 100 Mbit/s.
    type: float
    default: 100
  timeout:
    description:
      - Seconds to wait for the connection and for each read before giving up.
    type: float
    default: 10
  validate_certs:
    description:
      - Whether to verify the server certificate for C(https) URLs.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to trust for C(https) URLs (for example a test CA).
    type: path
  rsync_path:
    description:
      - The rsync client to run for C(rsync) URLs. Looked up in E(PATH) when not given.
    type: path
  rsync_password_file:
    description:
      - File whose first line is the password of an rsync daemon login (as for
        C(rsync --password-file)); the user name goes into O(url) (C(rsync://user@host/module/))
        or O(rsync_user).
      - The module reads the file itself and hands the password to rsync in its environment, so
        the file may belong to another user than the one the module runs as (rsync itself refuses
        a password file that root does not own when it runs as root).
      - O(rsync_password) wins when both are given.
    type: path
  rsync_user:
    description:
      - User name of an rsync daemon login (the login Gentoo gives accepted mirrors). Put into
        O(url) unless O(url) already names a user.
    type: str
  rsync_password:
    description:
      - Password of that login, handed to the rsync client in its environment (E(RSYNC_PASSWORD)),
        never on its command line. The password file of the sync job may not exist yet when the
        bandwidth is first measured.
    type: str
  rsync_max_listings:
    description:
      - How many directories the module may list to choose a file when an C(rsync) O(url) names
        a directory.
    type: int
    default: 8
seealso:
  - module: mirrorkit.gentoo.disk_space
  - module: mirrorkit.gentoo.connection_limits
  - name: Gentoo source mirror policy
    description: Asks for at least 5 Mbit/s upstream and strongly recommends 100 Mbit/s.
    link: https://wiki.gentoo.org/wiki/Project:Infrastructure/Mirrors/Source
"""

EXAMPLES = r"""
- name: Can the mirror host keep up with the upstream?
  mirrorkit.gentoo.bandwidth:
    url: rsync://masterdistfiles.gentoo.org/gentoo/

- name: What do users get from the mirror's own HTTP (from a host outside)?
  mirrorkit.gentoo.bandwidth:
    url: http://mirror.example.org/snapshots/gentoo-latest.tar.xz
    max_seconds: 15
  delegate_to: localhost
  register: users_see

- name: A private test CA and a lower bar for a partial mirror
  mirrorkit.gentoo.bandwidth:
    url: https://mirror.example.test/releases/amd64/autobuilds/stage3.tar.xz
    ca_path: /etc/ssl/test-ca.pem
    recommended_mbit: 50
"""

RETURN = r"""
url:
  description: The URL that was downloaded (for an rsync directory, the file the module chose).
  returned: always
  type: str
  sample: rsync://masterdistfiles.gentoo.org/gentoo/snapshots/gentoo-latest.tar.xz
protocol:
  description: C(http), C(https) or C(rsync).
  returned: always
  type: str
  sample: rsync
measured_mbit:
  description: Measured throughput in Mbit/s after the warm-up.
  returned: always
  type: float
  sample: 94.213
bytes:
  description: All bytes received, warm-up included.
  returned: always
  type: int
  sample: 118489088
seconds:
  description:
    - Duration of the data transfer, from the first byte (HTTP) or from the start of the rsync
      client (rsync, connection set-up included) to the end.
  returned: always
  type: float
  sample: 10.004
elapsed_seconds:
  description: Wall-clock time of the whole measurement, connection set-up and rsync listings included.
  returned: always
  type: float
  sample: 10.9
window_bytes:
  description: Bytes counted in RV(measured_mbit).
  returned: always
  type: int
  sample: 106430464
window_seconds:
  description: Seconds counted in RV(measured_mbit).
  returned: always
  type: float
  sample: 9.004
warmup_seconds:
  description: Length of the discarded warm-up in seconds.
  returned: always
  type: float
  sample: 1.0
warmup_bytes:
  description: Bytes received during the discarded warm-up.
  returned: always
  type: int
  sample: 12058624
warmup_discarded:
  description: Whether a warm-up was left out; false when the transfer was too short for that.
  returned: always
  type: bool
  sample: true
stopped_by:
  description: What ended the transfer, C(max_seconds), C(max_bytes) or C(end_of_file).
  returned: always
  type: str
  sample: max_seconds
link_speed_mbit:
  description:
    - Link speed in Mbit/s the kernel reports for the interface of the default route
      (RV(link_interface)); a declared figure, not a measurement. Null where the kernel does not
      know it (virtual interfaces, interfaces that are down).
  returned: always
  type: int
  sample: 1000
link_interface:
  description: The interface RV(link_speed_mbit) belongs to; null when there is no default route.
  returned: always
  type: str
  sample: eth0
link_speeds:
  description: Link speed in Mbit/s of every interface except the loopback, null where unknown.
  returned: always
  type: dict
  sample: {"eth0": 1000, "wlan0": null}
min_mbit:
  description: The minimum that was applied.
  returned: always
  type: float
  sample: 5.0
recommended_mbit:
  description: The recommendation that was applied.
  returned: always
  type: float
  sample: 100.0
verdict:
  description: C(ok), C(below_recommended) (a warning) or C(below_minimum) (the module failed).
  returned: always
  type: str
  sample: ok
threshold:
  description: Which threshold applies to the result, C(min_mbit), C(recommended_mbit), or null when the figure meets both.
  returned: always
  type: str
  sample: recommended_mbit
msg:
  description: One sentence with the figure and the threshold that applies.
  returned: always
  type: str
  sample: >-
    Measured 94.21 Mbit/s from rsync://masterdistfiles.gentoo.org/gentoo/snapshots/gentoo-latest.tar.xz
    over 9.00 s (after a 1.00 s warm-up): below the recommended 100 Mbit/s (recommended_mbit), above the
    minimum of 5 Mbit/s
"""

import os
import threading
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six.moves.urllib.parse import urlsplit, urlunsplit
from ansible.module_utils.urls import open_url
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.common import (
    VERDICT_BELOW_MINIMUM,
    VERDICT_BELOW_RECOMMENDED,
    verdict as classify,
)
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.throughput import (
    Samples,
    default_route_interface,
    default_route_interface6,
    largest_file,
    measure,
    parse_rsync_list,
    read_link_speeds,
    subdirectories,
)

CHUNK = 65536
POLL = 0.05


class MeasureError(Exception):
    pass


def download_http(module, url, clock=time.monotonic):
    """Read the body of ``url`` within the budgets; returns (samples, stopped_by)."""
    p = module.params
    try:
        response = open_url(
            url, timeout=p['timeout'], validate_certs=p['validate_certs'], ca_path=p['ca_path'],
            headers={'Accept-Encoding': 'identity'}, http_agent='mirrorkit.gentoo.bandwidth',
            follow_redirects='safe')
    except Exception as exc:  # open_url raises many kinds: HTTPError, URLError, SSL, socket
        raise MeasureError('downloading %s failed: %s' % (url, to_native(exc)))
    samples = Samples()
    stopped_by = 'end_of_file'
    start = clock()
    total = 0
    reader = getattr(response, 'read1', None) or response.read
    try:
        while True:
            chunk = reader(CHUNK)
            now = clock() - start
            if not chunk:
                break
            total += len(chunk)
            samples.add(now, total)
            if total >= p['max_bytes']:
                stopped_by = 'max_bytes'
                break
            if now >= p['max_seconds']:
                stopped_by = 'max_seconds'
                break
    except Exception as exc:
        raise MeasureError('reading %s failed after %d bytes: %s' % (url, total, to_native(exc)))
    finally:
        response.close()
    return samples, stopped_by


def rsync_base_args(module):
    p = module.params
    args = [p['rsync_path'] or module.get_bin_path('rsync', required=True),
            '--no-motd', '--timeout=%d' % max(1, int(p['timeout'])),
            '--contimeout=%d' % max(1, int(p['timeout']))]
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
    p = module.params
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
            if size >= p['max_bytes']:
                reason = 'max_bytes'
            elif now >= p['max_seconds']:
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


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ''


def link_figures():
    speeds = read_link_speeds()
    iface = default_route_interface(read_text('/proc/net/route')) or \
        default_route_interface6(read_text('/proc/net/ipv6_route'))
    return {
        'link_speeds': speeds,
        'link_interface': iface,
        'link_speed_mbit': speeds.get(iface) if iface else None,
    }


def describe(result):
    p_min = '%g Mbit/s' % result['min_mbit']
    p_rec = '%g Mbit/s' % result['recommended_mbit']
    head = 'Measured %.2f Mbit/s from %s over %.2f s' % (
        result['measured_mbit'], result['url'], result['window_seconds'])
    if result['warmup_discarded']:
        head += ' (after a %.2f s warm-up)' % result['warmup_seconds']
    else:
        head += ' (too short to leave out a warm-up)'
    if result['verdict'] == VERDICT_BELOW_MINIMUM:
        return head + (': below the minimum of %s (min_mbit) that a Gentoo source mirror needs'
                       % p_min)
    if result['verdict'] == VERDICT_BELOW_RECOMMENDED:
        return head + (': below the recommended %s (recommended_mbit), above the minimum of %s'
                       % (p_rec, p_min))
    return head + ': meets the recommended %s' % p_rec


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            max_seconds=dict(type='float', default=10),
            max_bytes=dict(type='int', default=1073741824),
            warmup_seconds=dict(type='float', default=1),
            min_mbit=dict(type='float', default=5),
            recommended_mbit=dict(type='float', default=100),
            timeout=dict(type='float', default=10),
            validate_certs=dict(type='bool', default=True),
            ca_path=dict(type='path'),
            rsync_path=dict(type='path'),
            rsync_password_file=dict(type='path', no_log=False),
            rsync_user=dict(type='str'),
            rsync_password=dict(type='str', no_log=True),
            rsync_max_listings=dict(type='int', default=8),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p['max_seconds'] <= 0 or p['max_bytes'] <= 0 or p['timeout'] <= 0 or p['warmup_seconds'] < 0:
        module.fail_json(msg='max_seconds, max_bytes and timeout must be positive, warmup_seconds not negative')
    if p['warmup_seconds'] >= p['max_seconds']:
        module.fail_json(msg='warmup_seconds (%g) must be shorter than max_seconds (%g)'
                         % (p['warmup_seconds'], p['max_seconds']))
    scheme = urlsplit(p['url']).scheme.lower()
    if scheme not in ('http', 'https', 'rsync'):
        module.fail_json(msg='url must start with http://, https:// or rsync://, not %r' % p['url'])

    began = time.monotonic()
    url = p['url']
    result = dict(changed=False, protocol=scheme, min_mbit=p['min_mbit'],
                  recommended_mbit=p['recommended_mbit'])
    result.update(link_figures())
    try:
        if scheme == 'rsync':
            url = with_rsync_user(url, p['rsync_user'])
            url, dummy_size = choose_rsync_file(module, url)
            samples = download_rsync(module, url)
            stopped_by = None
        else:
            samples, stopped_by = download_http(module, url)
    except MeasureError as exc:
        result.update(url=url, verdict=VERDICT_BELOW_MINIMUM, threshold='min_mbit',
                      elapsed_seconds=round(time.monotonic() - began, 3))
        module.fail_json(msg=str(exc), **result)
    if stopped_by is None:
        stopped_by = 'end_of_file'
        if samples.total_bytes >= p['max_bytes']:
            stopped_by = 'max_bytes'
        elif samples.total_seconds >= p['max_seconds']:
            stopped_by = 'max_seconds'
    figures = measure(samples.points, p['warmup_seconds'])
    result.update(figures)
    result.update(url=url, bytes=samples.total_bytes, seconds=round(samples.total_seconds, 3),
                  stopped_by=stopped_by, elapsed_seconds=round(time.monotonic() - began, 3))
    if figures['measured_mbit'] is None:
        result.update(verdict=VERDICT_BELOW_MINIMUM, threshold='min_mbit')
        module.fail_json(msg='no data received from %s within %g s' % (url, p['max_seconds']), **result)
    result['verdict'], which = classify(figures['measured_mbit'], p['min_mbit'], p['recommended_mbit'])
    result['threshold'] = {'minimum': 'min_mbit', 'recommended': 'recommended_mbit'}.get(which)
    result['msg'] = describe(result)
    if not figures['warmup_discarded']:
        module.warn('the transfer from %s ended after %.2f s, too short to leave out a warm-up; '
                    'point url at a larger file for a reliable figure' % (url, samples.total_seconds))
    if result['verdict'] == VERDICT_BELOW_MINIMUM:
        module.fail_json(**result)
    if result['verdict'] == VERDICT_BELOW_RECOMMENDED:
        module.warn(result['msg'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()

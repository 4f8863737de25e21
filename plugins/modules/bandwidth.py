#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
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

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible_collections.mirrorkit.gentoo.plugins.module_utils import bandwidth_verdict
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.http_download import download_http
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.link_speed import link_figures
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.rsync_download import measure_rsync
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.throughput import MeasureError
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.verdicts import VERDICT_BELOW_MINIMUM


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            max_seconds=dict(type='float', default=10),
            max_bytes=dict(type='int', default=1073741824),
            warmup_seconds=dict(type='float', default=1),
            min_mbit=dict(type='float', default=POLICY['min_bandwidth_mbit']),
            recommended_mbit=dict(type='float', default=POLICY['recommended_bandwidth_mbit']),
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
    params = module.params
    problem = bandwidth_verdict.request_problem(params)
    if problem:
        module.fail_json(msg=problem)
    began, scheme, url = time.monotonic(), urlsplit(params['url']).scheme.lower(), params['url']
    result = dict(changed=False, protocol=scheme, min_mbit=params['min_mbit'],
                  recommended_mbit=params['recommended_mbit'], **link_figures())
    fetch = measure_rsync if scheme == 'rsync' else download_http
    try:
        url, samples, stopped_by = fetch(module, url)
    except MeasureError as exc:
        result.update(url=exc.url or url, verdict=VERDICT_BELOW_MINIMUM, threshold='min_mbit',
                      elapsed_seconds=round(time.monotonic() - began, 3))
        module.fail_json(msg=str(exc), **result)
    result.update(url=url, stopped_by=stopped_by, elapsed_seconds=round(time.monotonic() - began, 3))
    for warning in bandwidth_verdict.judge(result, samples, params):
        module.warn(warning)
    if result['verdict'] == VERDICT_BELOW_MINIMUM:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

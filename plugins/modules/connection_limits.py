#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: connection_limits
short_description: Work out how many users nginx and rsyncd can serve at once
version_added: 0.1.0
description:
  - Reads the effective configuration of the services a Gentoo source mirror runs and computes,
    per protocol, how many clients can download at the same time. Fails when an enabled
    protocol takes fewer than O(min_connections), warns below O(recommended_connections), and
    names the directive and the file (and line) that set the limit.
  - "B(HTTP, nginx): runs C(nginx -T) and follows its C(include)s in the order nginx read them,
    so every figure is the one nginx uses and comes with the file it was set in. A worker can
    hold C(worker_connections) connections, one of which each listening socket takes; a
    client downloading a file needs one connection (a static mirror has no upstream
    connections) but two file descriptors (its socket and the file). So per worker the
    capacity is the smaller of C(worker_connections) minus the listening sockets and (the
    open-files limit minus the listening sockets, a reserve of 10 and the descriptors
    C(open_file_cache max=) may hold) / 2, and nginx takes
    C(worker_processes) times that (C(auto) counts the online CPUs). The open-files limit is
    C(worker_rlimit_nofile) when set; otherwise the soft limit the workers inherit from the
    service, read from the running nginx (C(/proc/PID/limits)) or from
    C(systemctl show nginx -p LimitNOFILESoft); the result names the unit file or drop-in that
    sets C(LimitNOFILE), or systemd's C(DefaultLimitNOFILE) when the unit sets none.
    A C(limit_conn) whose zone key is not the client address caps the whole server, and the
    host's C(fs.file-max) caps everything; a C(limit_conn) keyed by the client address only
    limits each client and is reported, not counted."
  - "B(rsync, rsyncd): reads the daemon's configuration file. Each module takes
    C(max connections) clients (set in the module or in the global section; 0, the default,
    means no limit; a negative value switches the module off). A limit needs the C(lock file),
    whose directory must exist. The protocol's capacity is that of the most limited module
    checked."
  - "With O(probe=true), also holds O(probe_connections) connections to each enabled service
    open at the same time, bounded in number and time, and reports how many were served (HTTP,
    a C(200) status line; rsync, C(@RSYNCD: OK) after the daemon's greeting and the module
    request). Connections are opened a few at a time (at most 8 waiting for an answer), as a
    daemon's small listen backlog (rsync's is 5) drops handshakes that all arrive at once.
    Choose a large file as O(probe_http_path) so that nginx stays busy with every connection
    while the probe holds them open."
author:
  - mirrorkit developers (@mirrorkit)
extends_documentation_fragment:
  - mirrorkit.gentoo.attributes
options:
  http:
    description:
      - Check nginx. When not set, nginx is checked if its program is installed.
    type: bool
  rsync:
    description:
      - Check rsyncd. When not set, rsyncd is checked if O(rsyncd_conf) exists.
    type: bool
  min_connections:
    description:
      - Concurrent clients each checked protocol must take; fewer fails. Gentoo's source mirror
        policy asks for at least 15.
    type: int
    default: 15
  recommended_connections:
    description:
      - Concurrent clients each protocol should take; fewer warns. The policy prefers 30 or
        more.
    type: int
    default: 30
  nginx_path:
    description:
      - The nginx program. Looked up in E(PATH) and C(/usr/sbin) when not given.
    type: path
  nginx_service:
    description:
      - The systemd unit that runs nginx, whose open-files limit the workers inherit.
    type: str
    default: nginx.service
  rsyncd_conf:
    description:
      - The rsync daemon's configuration file.
    type: path
    default: /etc/rsyncd.conf
  rsync_modules:
    description:
      - The rsync modules to check. All modules of O(rsyncd_conf) when empty.
    type: list
    elements: str
    default: []
  probe:
    description:
      - Also test the services live with O(probe_connections) concurrent connections.
    type: bool
    default: false
  probe_host:
    description:
      - Host name or address the probe connects to (the first address it resolves to).
    type: str
    default: 127.0.0.1
  probe_connections:
    description:
      - How many connections the probe holds open at the same time, per service (at most 1000).
        Defaults to O(recommended_connections).
    type: int
  probe_timeout:
    description:
      - Seconds the probe waits, per service, for all connections to be answered.
    type: float
    default: 10
  http_port:
    description:
      - Port of the HTTP service for the probe.
    type: int
    default: 80
  rsync_port:
    description:
      - Port of the rsync daemon for the probe.
    type: int
    default: 873
  probe_http_path:
    description:
      - Path the HTTP probe requests on every connection. A large file makes the test honest.
    type: str
    default: /
  probe_http_host:
    description:
      - C(Host) header of the HTTP probe's requests. Defaults to O(probe_host).
    type: str
seealso:
  - module: mirrorkit.gentoo.bandwidth
  - module: mirrorkit.gentoo.disk_space
  - name: Gentoo source mirror policy
    description: Asks for at least 15, preferably 30 or more, concurrent user connections.
    link: https://wiki.gentoo.org/wiki/Project:Infrastructure/Mirrors/Source
  - name: nginx core module
    description: worker_processes, worker_connections and worker_rlimit_nofile.
    link: https://nginx.org/en/docs/ngx_core_module.html
  - name: rsyncd.conf manual
    description: max connections and lock file.
    link: https://download.samba.org/pub/rsync/rsyncd.conf.5
"""

EXAMPLES = r"""
- name: Check what nginx and rsyncd allow
  mirrorkit.gentoo.connection_limits:

- name: Check the mirror and prove it live with 30 concurrent downloads per protocol
  mirrorkit.gentoo.connection_limits:
    probe: true
    probe_connections: 30
    probe_http_path: /snapshots/gentoo-latest.tar.xz
    probe_http_host: mirror.example.org
    rsync_modules: [gentoo]
  register: limits

- name: Show the HTTP capacity and what limits it
  ansible.builtin.debug:
    msg: >-
      {{ limits.protocols.http.capacity }} clients, limited by
      {{ limits.protocols.http.limiting.directive }} in {{ limits.protocols.http.limiting.file }}
"""

RETURN = r"""
protocols:
  description: Figures per protocol, keyed C(http) and C(rsync); a protocol that is not checked has only RV(protocols.http.enabled=false).
  returned: always
  type: dict
  contains:
    http:
      description: nginx.
      returned: always
      type: dict
      contains:
        enabled:
          description: Whether the protocol was checked.
          type: bool
          returned: always
          sample: true
        capacity:
          description: Concurrent clients the protocol takes; null means no limit was found.
          type: int
          returned: when enabled
          sample: 1012
        verdict:
          description: C(ok), C(below_recommended) or C(below_minimum).
          type: str
          returned: when enabled
          sample: ok
        limiting:
          description: >-
            The directive that sets the capacity: C(directive), C(value), C(file), C(line),
            C(default) (true when nginx's built-in default applies), C(explanation).
          type: dict
          returned: when enabled
          sample:
            directive: LimitNOFILE
            value: 1024
            file: /usr/lib/systemd/system/nginx.service
            line: null
            default: false
            explanation: 2 worker processes x (open files 1024 (running nginx, pid 812) - 1 listening - 10 reserved) / 2 per client
        workers:
          description: Worker processes (C(auto) resolved to the CPU count).
          type: int
          returned: when enabled
          sample: 2
        worker_connections:
          description: Connections per worker.
          type: int
          returned: when enabled
          sample: 768
        nofile:
          description: Open-files limit of each worker; null when unknown.
          type: int
          returned: when enabled
          sample: 1024
        nofile_source:
          description: Where RV(protocols.http.nofile) comes from.
          type: str
          returned: when enabled
          sample: running nginx, pid 812
        open_file_cache:
          description: Descriptors C(open_file_cache max=) may keep open per worker (0 when off).
          type: int
          returned: when enabled
          sample: 1000
        listen_sockets:
          description: The listening sockets nginx opens.
          type: list
          elements: str
          returned: when enabled
          sample: ["*:80"]
        limit_conn:
          description: C(limit_conn) directives found, with C(zone), C(value), C(key), C(per_client), C(file), C(line).
          type: list
          elements: dict
          returned: when enabled
          sample: []
        candidates:
          description: Every bound that was computed; the smallest is RV(protocols.http.limiting).
          type: list
          elements: dict
          returned: when enabled
          sample: []
        files:
          description: The configuration files nginx read.
          type: list
          elements: str
          returned: when enabled
          sample: [/etc/nginx/nginx.conf, /etc/nginx/mime.types]
        probe:
          description: Live probe result, see RV(protocols.rsync.probe).
          type: dict
          returned: when O(probe=true)
          sample: {}
    rsync:
      description: rsyncd.
      returned: always
      type: dict
      contains:
        enabled:
          description: Whether the protocol was checked.
          type: bool
          returned: always
          sample: true
        capacity:
          description: Concurrent clients of the most limited module; null means no limit.
          type: int
          returned: when enabled
          sample: 1000
        verdict:
          description: C(ok), C(below_recommended) or C(below_minimum).
          type: str
          returned: when enabled
          sample: ok
        limiting:
          description: >-
            The setting that limits it: C(directive), C(value), C(module), C(section), C(file),
            C(line), C(explanation).
          type: dict
          returned: when enabled
          sample:
            directive: max connections
            value: 1000
            module: gentoo
            section: module [gentoo]
            file: /etc/rsyncd.conf
            line: 14
            default: false
            explanation: max connections = 1000 in the module [gentoo]
        config_file:
          description: The file that was read.
          type: str
          returned: when enabled
          sample: /etc/rsyncd.conf
        modules:
          description: Per module C(module), C(max_connections), C(lock_file), C(lock_file_exists), C(capacity), C(limiting).
          type: list
          elements: dict
          returned: when enabled
          sample: []
        probe:
          description: >-
            Live probe: C(attempted), C(connected), C(served), C(refused), C(unanswered),
            C(errors), C(opened), C(seconds), C(sample_refusal) (for example rsync's C(@ERROR: max connections
            (10) reached -- try again later)), C(statuses) (HTTP status counts), and C(verdict): C(below_minimum)
            when fewer than O(min_connections) (or than attempted, when fewer were attempted) were served,
            C(below_recommended) when some attempted connections were not served, else C(ok).
          type: dict
          returned: when O(probe=true)
          sample: {attempted: 30, connected: 30, served: 30, refused: 0, unanswered: 0, errors: 0, seconds: 0.21, verdict: ok}
verdict:
  description: The worst verdict over the checked protocols.
  returned: always
  type: str
  sample: ok
min_connections:
  description: The minimum applied.
  returned: always
  type: int
  sample: 15
recommended_connections:
  description: The recommendation applied.
  returned: always
  type: int
  sample: 30
msg:
  description: One sentence per checked protocol with its capacity and what limits it.
  returned: always
  type: str
  sample: "HTTP (nginx) takes 1012 concurrent clients, limited by LimitNOFILE 1024 in /usr/lib/systemd/system/nginx.service"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mirrorkit.gentoo.plugins.module_utils import connection_checks
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.connection_verdict import Judgement
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY


def main():
    module = AnsibleModule(
        argument_spec=dict(
            http=dict(type='bool'),
            rsync=dict(type='bool'),
            min_connections=dict(type='int', default=POLICY['min_connections']),
            recommended_connections=dict(type='int', default=POLICY['recommended_connections']),
            nginx_path=dict(type='path'),
            nginx_service=dict(type='str', default='nginx.service'),
            rsyncd_conf=dict(type='path', default='/etc/rsyncd.conf'),
            rsync_modules=dict(type='list', elements='str', default=[]),
            probe=dict(type='bool', default=False),
            probe_host=dict(type='str', default='127.0.0.1'),
            probe_connections=dict(type='int'),
            probe_timeout=dict(type='float', default=10),
            http_port=dict(type='int', default=80),
            rsync_port=dict(type='int', default=873),
            probe_http_path=dict(type='str', default='/'),
            probe_http_host=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    count = connection_checks.probe_count(module)
    protocols = connection_checks.check_protocols(module)
    judgement = Judgement(params['min_connections'], params['recommended_connections'], module.warn)
    for name in connection_checks.PROTOCOLS:
        figures = protocols[name]
        if figures['enabled']:
            judgement.capacity(connection_checks.LABELS[name], figures)
            if params['probe']:
                figures['probe'] = connection_checks.probe(module, name, figures, count)
                judgement.probe(name, figures['probe'], count)
    result = dict(changed=False, protocols=protocols, verdict=judgement.verdict, msg=judgement.msg,
                  min_connections=params['min_connections'],
                  recommended_connections=params['recommended_connections'])
    if judgement.failures:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

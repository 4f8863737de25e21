#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: host_facts
short_description: Read what the mirror roles need to know about a Debian host, in one call
version_added: 0.2.0
description:
  - Reads the installed packages (C(dpkg-query)), whether IPv6 is usable, PID 1's hard limit of
    open files, the named users and groups, and the state of the named systemd units, and
    returns them as RV(host).
  - The base role C(mirrorkit.gentoo.gentoo_mirror) publishes RV(host) as C(gentoo_mirror_host),
    which the other roles read instead of asking the host again, and which lets them skip a
    task whose work is already done (a user that exists as configured, a service that runs).
author:
  - mirrorkit developers (@mirrorkit)
extends_documentation_fragment:
  - mirrorkit.gentoo.attributes
options:
  users:
    description: Users to look up; those that exist are in RV(host.users).
    type: list
    elements: str
    default: []
  groups:
    description: Groups to look up; those that exist are in RV(host.groups).
    type: list
    elements: str
    default: []
  units:
    description: systemd units whose state to report in RV(host.units).
    type: list
    elements: str
    default: []
seealso:
  - name: The base role's host facts
    description: The role mirrorkit.gentoo.gentoo_mirror and what it publishes as gentoo_mirror_host.
    link: https://github.com/mirrorkit/gentoo/blob/main/roles/gentoo_mirror/README.md
"""

EXAMPLES = r"""
- name: Read the host facts
  mirrorkit.gentoo.host_facts:
    users: [gentoo-mirror]
    groups: [gentoo-mirror]
    units: [nginx.service]
  register: facts

- name: Start nginx unless it runs
  ansible.builtin.systemd_service:
    name: nginx
    state: started
  when: facts.host.units['nginx.service'].active != 'active'
"""

RETURN = r"""
host:
  description: What was read.
  returned: always
  type: dict
  contains:
    packages:
      description: Installed packages and their versions.
      type: dict
      sample: {nginx: 1.22.1-9+deb12u2, rsync: 3.2.7-1+deb12u2}
    apt_check_mode:
      description: Whether python3-apt is there, which M(ansible.builtin.apt) needs in check mode.
      type: bool
    ipv6:
      description: The kernel has IPv6 on and the host some IPv6 address.
      type: bool
    ipv6_global:
      description: The host has an IPv6 address that is neither link-local nor loopback.
      type: bool
    nofile_hard:
      description: PID 1's hard limit of open files (1048576 when unlimited or unknown).
      type: int
      sample: 524288
    nginx_version:
      description: The installed nginx's upstream version, empty when nginx is not installed.
      type: str
      sample: 1.22.1
    users:
      description: The named users that exist, with C(uid), primary C(group), C(home) and C(shell).
      type: dict
      sample: {gentoo-mirror: {uid: 998, group: gentoo-mirror, home: /var/lib/gentoo-mirror, shell: /usr/sbin/nologin}}
    groups:
      description: The named groups that exist, with their gid.
      type: dict
      sample: {gentoo-mirror: 998}
    units:
      description: >-
        Each named unit's C(active) (ActiveState: V(active), V(inactive), V(failed), ...) and
        C(enabled) (UnitFileState: V(enabled), V(disabled), empty when there is no such unit).
      type: dict
      sample: {nginx.service: {active: active, enabled: enabled}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.files import read_text
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.host_facts import DPKG_FORMAT, host_facts


def main():
    module = AnsibleModule(
        argument_spec=dict(users=dict(type='list', elements='str', default=[]),
                           groups=dict(type='list', elements='str', default=[]),
                           units=dict(type='list', elements='str', default=[])),
        supports_check_mode=True,
    )
    params = module.params
    rc, dpkg, err = module.run_command(['dpkg-query', '-W', '-f', DPKG_FORMAT])
    if rc != 0:
        module.fail_json(msg='dpkg-query could not list the installed packages: %s' % err.strip())
    units = ''
    if params['units']:
        rc, units, err = module.run_command(
            ['systemctl', 'show', '-p', 'Id', '-p', 'ActiveState', '-p', 'UnitFileState', '--'] + params['units'])
        if rc != 0:
            module.fail_json(msg='systemctl show could not report %s: %s' % (', '.join(params['units']), err.strip()))
    host = host_facts(dpkg, read_text('/proc/net/if_inet6'), read_text('/proc/sys/net/ipv6/conf/all/disable_ipv6'),
                      read_text('/proc/1/limits'), units, params['users'], params['groups'])
    module.exit_json(changed=False, host=host)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: disk_space
short_description: Check that the disk can hold a Gentoo source mirror
version_added: 0.1.0
description:
  - Finds the file system that holds, or will hold, O(path). When O(path) does not exist yet,
    the module looks at its nearest existing parent directory.
  - "Reports the size, used and available space of that file system, its mount point, and the
    space the mirror tree already uses on it (counted like C(du -x): from allocated blocks,
    hard links once, nothing on other file systems)."
  - Passes when the available space plus the space the mirror already uses is at least
    O(min_gib). Otherwise fails with a message that gives the figures in GiB and the mount
    point.
  - Reports inodes as well and fails when the free inodes (plus those the mirror already uses)
    are fewer than O(min_inodes).
  - Changes nothing, installs nothing and needs only the Python standard library, so it can
    run first on a fresh host.
author:
  - mirrorkit developers (@mirrorkit)
extends_documentation_fragment:
  - mirrorkit.gentoo.attributes
options:
  path:
    description:
      - The directory that holds or will hold the mirror tree, usually the value of
        C(gentoo_mirror_root).
    type: path
    required: true
  min_gib:
    description:
      - Space in GiB that must be available for the mirror (available space plus what the
        mirror tree already uses).
      - Gentoo's source mirror policy asks for at least 800 GiB.
    type: float
    default: 800
  min_inodes:
    description:
      - Free inodes (plus the inodes the mirror tree already uses) the file system must offer.
      - A full source mirror holds roughly 100,000 files and directories (distfiles in 256
        hash directories, releases, snapshots, experimental). The default of 200,000 leaves room
        for the tree to double. ext4 with its default ratio gives tens of millions of inodes on
        an 800 GiB disk, so this check only trips on file systems made with a very large
        bytes-per-inode ratio (for example C(mkfs.ext4 -T largefile4)) or filled with small
        files.
      - File systems that report no inode table (btrfs, some network file systems) give
        RV(inodes_status=unknown), which is not a failure.
      - V(0) turns the inode check off.
    type: int
    default: 200000
seealso:
  - module: mirrorkit.gentoo.bandwidth
  - module: mirrorkit.gentoo.connection_limits
  - name: Gentoo source mirror policy
    description: The requirements a Gentoo source mirror must meet, among them 800 GiB of disk.
    link: https://wiki.gentoo.org/wiki/Project:Infrastructure/Mirrors/Source
"""

EXAMPLES = r"""
- name: Check the disk before anything is installed
  mirrorkit.gentoo.disk_space:
    path: /srv/gentoo

- name: Check a smaller partial mirror and keep the figures
  mirrorkit.gentoo.disk_space:
    path: /srv/gentoo
    min_gib: 300
    min_inodes: 0
  register: disk

- name: Show what is left
  ansible.builtin.debug:
    msg: "{{ disk.available_gib }} GiB free on {{ disk.mount }}"
"""

RETURN = r"""
checked_path:
  description: The existing directory that was examined (O(path) or its nearest existing parent).
  returned: always
  type: str
  sample: /srv
exists:
  description: Whether O(path) exists already.
  returned: always
  type: bool
  sample: false
mount:
  description: Mount point of the file system that holds the path.
  returned: always
  type: str
  sample: /srv
fstype:
  description: File system type, from C(/proc/self/mountinfo); null where that is not available.
  returned: always
  type: str
  sample: ext4
device:
  description: The mounted source (block device or similar); null where unknown.
  returned: always
  type: str
  sample: /dev/sdb1
size_gib:
  description: Size of the file system in GiB.
  returned: always
  type: float
  sample: 931.51
used_gib:
  description: Space used on the file system in GiB (including the root reserve).
  returned: always
  type: float
  sample: 12.3
available_gib:
  description: Space an unprivileged user may still write, in GiB (C(f_bavail)).
  returned: always
  type: float
  sample: 872.16
mirror_used_gib:
  description: Space the mirror tree at O(path) already uses on this file system, in GiB.
  returned: always
  type: float
  sample: 0.0
usable_gib:
  description: RV(available_gib) plus RV(mirror_used_gib), the figure compared with O(min_gib).
  returned: always
  type: float
  sample: 872.16
min_gib:
  description: The threshold that was applied, in GiB.
  returned: always
  type: float
  sample: 800.0
size_bytes:
  description: Size of the file system in bytes.
  returned: always
  type: int
  sample: 1000203091968
available_bytes:
  description: Available space in bytes.
  returned: always
  type: int
  sample: 936474624000
mirror_used_bytes:
  description: Space the mirror tree already uses, in bytes.
  returned: always
  type: int
  sample: 0
inodes_total:
  description: Inodes of the file system; null when the file system reports none (btrfs).
  returned: always
  type: int
  sample: 61054976
inodes_free:
  description: Inodes an unprivileged user may still use; null when unknown.
  returned: always
  type: int
  sample: 61054000
mirror_inodes:
  description: Inodes (files and directories) the mirror tree already uses on this file system.
  returned: always
  type: int
  sample: 0
min_inodes:
  description: The inode threshold that was applied (0 means off).
  returned: always
  type: int
  sample: 200000
inodes_status:
  description: C(ok), C(too_few), or C(unknown) when the file system reports no inode figures.
  returned: always
  type: str
  sample: ok
walk_errors:
  description: Entries of the mirror tree that could not be read while adding up its usage.
  returned: always
  type: int
  sample: 0
passed:
  description: Whether the disk meets the thresholds.
  returned: always
  type: bool
  sample: true
msg:
  description: One sentence with the figures, also on failure.
  returned: always
  type: str
  sample: 872.16 GiB usable for the mirror at /srv/gentoo on the file system mounted at /srv (ext4) (at least 800 GiB required)
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.disk import check
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.files import read_text
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY

MOUNTINFO = '/proc/self/mountinfo'


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            min_gib=dict(type='float', default=POLICY['min_disk_gib']),
            min_inodes=dict(type='int', default=200000),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params['min_gib'] < 0 or params['min_inodes'] < 0:
        module.fail_json(msg='min_gib and min_inodes must not be negative')
    try:
        result = check(params['path'], params['min_gib'], params['min_inodes'], read_text(MOUNTINFO))
    except OSError as exc:
        module.fail_json(msg='cannot examine the file system of %s: %s' % (params['path'], exc))
    if result['walk_errors']:
        module.warn('%d entries below %s could not be read; the mirror usage may be too low'
                    % (result['walk_errors'], params['path']))
    if not result['passed']:
        module.fail_json(changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

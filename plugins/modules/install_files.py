#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: install_files
short_description: Install several directories and small text files in one call to the host
version_added: 0.2.0
description:
  - Brings directories and text files to the wanted content, owner, group and mode in one
    module run. M(ansible.builtin.template) and M(ansible.builtin.copy) make two calls to the
    host per file even when nothing changes; a role that installs ten files this way makes one.
  - Everything is read first. Directories are then created or corrected; every file whose
    content changes is written to a temporary file in its destination directory, given its
    owner, group and mode, and checked with its O(files[].validate) command. Only when every
    changed file passed are they moved into place (one C(rename) each), so a file that fails
    validation leaves every destination as it was.
  - Content comes from the task, so templates are rendered on the controller, for example with
    the P(ansible.builtin.template#lookup) lookup, which finds a role's C(templates/) files and
    sets C(ansible_managed).
  - Meant for configuration files, units and scripts of a few hundred kilobytes at most (the
    content travels in the module's arguments); not for secrets, which would show in C(--diff)
    (use M(ansible.builtin.copy) with C(no_log) for those).
author:
  - mirrorkit developers (@mirrorkit)
options:
  directories:
    description: Directories that must exist, in order (a parent before its children).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory. Missing parents are created with mode C(0755) and root as owner.
        type: path
        required: true
      mode:
        description: Its permissions in octal, as a string (V("0750")).
        type: str
        default: "0755"
      owner:
        description: The user that owns it, by name.
        type: str
        default: root
      group:
        description: Its group, by name.
        type: str
        default: root
  files:
    description: Text files and their content.
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Where the file goes. Its directory must exist, or be in O(directories).
        type: path
        required: true
      content:
        description: The whole content of the file, as text (written as UTF-8). Required unless
          O(files[].state=absent).
        type: str
      mode:
        description: Its permissions in octal, as a string (V("0600")).
        type: str
        default: "0644"
      owner:
        description: >-
          The user that owns it, by name. In check mode a user the host does not have yet (made
          by an earlier task of the run) counts as a change, not as an error.
        type: str
        default: root
      group:
        description: Its group, by name; like O(files[].owner) in check mode.
        type: str
        default: root
      validate:
        description:
          - A command that checks a new content before it is installed; C(%s) stands for the
            temporary file. A non-zero exit fails the task and changes nothing.
          - Runs only when the content changes, never in check mode.
        type: str
      state:
        description:
          - V(absent) removes the file if it is there (a file the settings no longer ask for);
            O(files[].content) is then not needed.
        type: str
        choices: [present, absent]
        default: present
extends_documentation_fragment:
  - mirrorkit.gentoo.attributes.install
seealso:
  - module: ansible.builtin.template
  - module: ansible.builtin.copy
  - module: ansible.builtin.file
"""

EXAMPLES = r"""
- name: Install the program, its configuration and its unit
  mirrorkit.gentoo.install_files:
    directories:
      - path: /usr/local/lib/example
    files:
      - dest: /usr/local/lib/example/example.py
        content: "{{ lookup('ansible.builtin.file', 'example.py') }}"
      - dest: /etc/example.conf
        content: "{{ lookup('ansible.builtin.template', 'etc/example.conf.j2') }}"
        validate: /usr/local/lib/example/example.py --check %s
      - dest: /etc/systemd/system/example.service
        content: "{{ lookup('ansible.builtin.template', 'etc/systemd/system/example.service.j2') }}"
  register: example_files
  notify: Restart example
"""

RETURN = r"""
changed_paths:
  description: The directories and files that were (in check mode, would be) created or changed.
  returned: always
  type: list
  elements: str
  sample: [/etc/example.conf]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.file_set import (
    FileSetError, apply, changes, diff_of, parse_mode, plan_entry, require_ids)

OWNERSHIP = dict(owner=dict(type='str', default='root'), group=dict(type='str', default='root'))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True), mode=dict(type='str', default='0755'), **OWNERSHIP)),
            files=dict(type='list', elements='dict', default=[], options=dict(
                dest=dict(type='path', required=True), content=dict(type='str'),
                mode=dict(type='str', default='0644'), validate=dict(type='str'),
                state=dict(type='str', default='present', choices=['present', 'absent']), **OWNERSHIP),
                required_if=[('state', 'present', ['content'])]),
        ),
        supports_check_mode=True,
    )
    entries = [dict(d, mode=parse_mode_or_fail(module, d['mode'], d['path'])) for d in module.params['directories']]
    entries += [dict(f, mode=parse_mode_or_fail(module, f['mode'], f['dest'])) for f in module.params['files']]
    try:
        plans = [plan_entry(e) for e in entries]
        pending = changes(plans)
        shown = dict(diff=[diff_of(p, e) for p, e in zip(plans, entries) if p in pending]) if module._diff else {}
        if module.check_mode or not pending:
            module.exit_json(changed=bool(pending), changed_paths=[p['path'] for p in pending], **shown)
        require_ids(plans, entries)
        changed = apply(plans, entries, module.run_command)
    except (FileSetError, OSError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=bool(changed), changed_paths=changed, **shown)


def parse_mode_or_fail(module, value, path):
    try:
        return parse_mode(value, path)
    except FileSetError as exc:
        module.fail_json(msg=str(exc))


if __name__ == '__main__':
    main()

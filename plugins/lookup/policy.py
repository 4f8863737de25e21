# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: policy
author:
  - mirrorkit developers (@mirrorkit)
short_description: The figures of Gentoo's source mirror policy
version_added: 0.1.0
description:
  - Returns the figures Gentoo's source mirror policy sets (disk, bandwidth, connections, sync
    interval, directories), from the one place the collection keeps them
    (C(plugins/module_utils/policy.py)); the modules use the same figures.
  - Without terms, returns the whole map; with terms, the figure of each name.
options:
  _terms:
    description: Names of figures; none for the whole map.
    type: list
    elements: str
    required: false
'''

EXAMPLES = r'''
- name: Show the policy's minimum of concurrent connections
  ansible.builtin.debug:
    msg: "{{ lookup('mirrorkit.gentoo.policy', 'min_connections') }}"

- name: Keep the whole map
  ansible.builtin.set_fact:
    policy: "{{ lookup('mirrorkit.gentoo.policy') }}"
'''

RETURN = r'''
_raw:
  description:
    - Without terms, one dictionary of every figure (C(min_disk_gib), C(min_bandwidth_mbit),
      C(recommended_bandwidth_mbit), C(min_connections), C(recommended_connections),
      C(sync_interval_hours), C(sync_hours), C(sync_schedule), C(directories), C(listing_directories),
      C(optional_directories)).
    - With terms, the figure of each term.
  type: list
  elements: raw
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import policy_figures


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        figures = policy_figures()
        if not terms:
            return [figures]
        unknown = [term for term in terms if term not in figures]
        if unknown:
            raise AnsibleLookupError(
                'mirrorkit.gentoo.policy: unknown figure(s) %s; known: %s'
                % (', '.join(map(str, unknown)), ', '.join(sorted(figures))))
        return [figures[term] for term in terms]

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sections of `make bench`, each a module with its measurement and its part of the page:

- NAME (`--only NAME`), TITLE (its heading on docs/performance.md);
- NEEDS: what it needs the setup to prepare (environment.Environment.needs): "stock" (a host with
  Debian's stock nginx), "wrk" (wrk and iperf3 in the mirror host), "tree100k" (the upstream's
  100,000-file tree), "upstream_curl" (curl in the upstream host);
- SMOKE_CHART: whether its smoke run draws a chart;
- measure(env) -> the section's results (a dict, stored in results.json);
- report(page, results) -> its part of the page (page.Page).

A new section is a module here and a place in the two lists below.
"""

from __future__ import annotations

from sections import bandwidth, fleet, http, load, overload, provisioning, rsync, sync

# The page's order.
SECTIONS = (http, rsync, sync, provisioning, bandwidth, load, overload, fleet)
# Run order: the short sections first, the provisioning runs before the long serving ones, the
# fleets (hosts of their own, removed after each case) last.
RUN_ORDER = (bandwidth, load, overload, provisioning, http, rsync, sync, fleet)
BY_NAME = {section.NAME: section for section in SECTIONS}

# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The figures of the connection_limits module, per protocol: which services to check, what
their configuration allows, and the live probe."""

from __future__ import annotations

import os

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import nginx_conf, nginx_sizing, rsyncd_conf
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.files import read_text
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.probe import MAX_PROBE_CONNECTIONS, run_probe
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.systemd_limits import parse_limit, service_nofile

PROTOCOLS = ('http', 'rsync')
LABELS = {'http': 'HTTP (nginx)', 'rsync': 'rsync (rsyncd)'}


def nginx_program(module):
    """The nginx program: nginx_path, or nginx in PATH or /usr/sbin; None when not installed."""
    return module.params['nginx_path'] or module.get_bin_path('nginx', opt_dirs=['/usr/sbin'])


def probe_count(module):
    """Connections the probe holds per service; fails the module when out of range."""
    params = module.params
    count = params['probe_connections']
    if count is None:
        count = params['recommended_connections']
    if params['probe'] and not 1 <= count <= MAX_PROBE_CONNECTIONS:
        module.fail_json(msg='probe_connections must be between 1 and %d' % MAX_PROBE_CONNECTIONS)
    return count


def check_nginx(module):
    """nginx's capacity from ``nginx -T``, its workers' open-files limit and fs.file-max."""
    params = module.params
    rc, out, err = module.run_command([nginx_program(module), '-T'])
    if rc != 0:
        module.fail_json(msg='nginx -T failed (rc=%d), so its configuration cannot be read: %s'
                         % (rc, (err or out).strip()))
    try:
        summary = nginx_conf.summarize(nginx_conf.load(out))
    except nginx_conf.NginxParseError as exc:
        module.fail_json(msg='cannot parse the output of nginx -T: %s' % exc)
    except ValueError as exc:
        module.fail_json(msg='unexpected value in the nginx configuration: %s' % exc)
    nofile = None if summary['worker_rlimit_nofile'] else service_nofile(module, params['nginx_service'], 'nginx')
    file_max = parse_limit(read_text('/proc/sys/fs/file-max') or '')
    figures = nginx_sizing.capacity(summary, os.cpu_count() or 1, nofile=nofile, file_max=file_max)
    figures['files'] = summary['files']
    if nofile is None and not summary['worker_rlimit_nofile']:
        module.warn('the open-files limit of the nginx workers is unknown (no worker_rlimit_nofile, '
                    'no systemd figure); only worker_connections was counted')
    return figures


def check_rsync(module):
    """The capacity of the rsync modules checked, from the daemon's configuration file."""
    params = module.params
    conf_file = params['rsyncd_conf']
    text = read_text(conf_file)
    if text is None:
        module.fail_json(msg='cannot read the rsync daemon configuration %s' % conf_file)
    conf = rsyncd_conf.parse(text, conf_file)
    if conf['directives']:
        module.warn('%s uses %s; included files are not read by this check'
                    % (conf_file, ', '.join(directive['text'] for directive in conf['directives'])))
    names = [module_entry[0] for module_entry in conf['modules']]
    missing = [name for name in params['rsync_modules'] if name not in names]
    if missing:
        module.fail_json(msg='%s defines no module %s (modules: %s)'
                         % (conf_file, ', '.join(missing), ', '.join(names) or 'none'))
    if not names:
        module.fail_json(msg='%s defines no module' % conf_file)
    figures = rsyncd_conf.capacity(conf, params['rsync_modules'] or None)
    figures['config_file'] = conf_file
    return figures


def check_protocols(module):
    """The figures of each protocol to check, keyed ``http`` and ``rsync``.

    A protocol whose option is not set is checked when its service is there (nginx installed,
    the rsyncd configuration present); fails the module when there is nothing to check.
    """
    params = module.params
    http = params['http']
    if http is None:
        http = bool(nginx_program(module))
    elif http and not nginx_program(module):
        module.fail_json(msg='http is true but nginx is not installed (no nginx in PATH or /usr/sbin)')
    rsync = params['rsync']
    if rsync is None:
        rsync = os.path.exists(params['rsyncd_conf'])
    protocols = {'http': {'enabled': False}, 'rsync': {'enabled': False}}
    if not http and not rsync:
        module.fail_json(msg='nothing to check: nginx is not installed and %s does not exist' % params['rsyncd_conf'],
                         protocols=protocols)
    if http:
        protocols['http'] = dict(check_nginx(module), enabled=True)
    if rsync:
        protocols['rsync'] = dict(check_rsync(module), enabled=True)
    return protocols


def probe(module, name, figures, count):
    """Hold ``count`` connections to the service of protocol ``name`` open; its probe result."""
    params = module.params
    if name == 'http':
        return run_probe('http', params['probe_host'], params['http_port'], count, params['probe_timeout'],
                         http_path=params['probe_http_path'], http_host=params['probe_http_host'])
    first_module = figures['modules'][0]['module']
    result = run_probe('rsync', params['probe_host'], params['rsync_port'], count, params['probe_timeout'],
                       rsync_module=first_module)
    result['module'] = first_module
    return result

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: tls_certificate
short_description: Fetch a TLS server's certificate or read a certificate file, and report its names and dates
version_added: 0.1.0
description:
  - "Fetch mode (O(host) and O(port)): connects to the server, sends O(server_name) as SNI, checks
    the certificate chain against O(ca_cert) (or the system's trusted CAs) and returns the
    certificate with its names and dates. A chain that does not verify is no failure: the module
    reads the certificate all the same and returns RV(verified=false) with the reason in
    RV(verify_error). Whether the certificate names O(server_name) is in RV(name_matches)."
  - Read mode (O(path) or O(content)) reads a PEM certificate and returns its names and dates.
  - Needs only the Python standard library and C(cryptography) (a dependency of ansible-core on
    the controller; on a Debian host the package C(python3-cryptography), which certbot brings).
author:
  - mirrorkit developers (@mirrorkit)
extends_documentation_fragment:
  - mirrorkit.gentoo.attributes
options:
  host:
    description: Host name or address to connect to (fetch mode).
    type: str
  port:
    description: TCP port to connect to (fetch mode).
    type: int
  server_name:
    description:
      - Name sent as SNI and compared with the certificate's names for RV(name_matches).
      - Defaults to O(host).
    type: str
  ca_cert:
    description:
      - PEM bundle of the CAs the chain must lead to (fetch mode).
      - When not set, the system's trusted CAs.
    type: path
  timeout:
    description: Seconds to wait for the connection and the handshake.
    type: int
    default: 10
  path:
    description: PEM certificate file to read (read mode).
    type: path
  content:
    description: PEM certificate to read (read mode).
    type: str
  valid_at:
    description:
      - Points in time to check the certificate's validity at, by name. Each value is an ASN.1
        time C(YYYYMMDDHHMMSSZ) or a time relative to now such as V(+0s), V(-1d) or V(+32w1d2h).
      - The answers are in RV(valid_at), under the same names.
    type: dict
    default: {}
requirements:
  - cryptography
notes:
  - Like C(community.crypto.get_certificate) with C(ca_cert), the chain is checked in the
    handshake but not the name, so that a certificate for another name can still be read and
    reported.
seealso:
  - module: mirrorkit.gentoo.connection_limits
"""

EXAMPLES = r"""
- name: Fetch the HTTPS certificate of the mirror and check its chain against a CA bundle
  mirrorkit.gentoo.tls_certificate:
    host: 192.0.2.10
    port: 443
    server_name: mirror.example.org
    ca_cert: /etc/ssl/certs/ca-certificates.crt
  delegate_to: localhost
  register: cert

- name: Say when it expires
  ansible.builtin.debug:
    msg: "{{ cert.subject_alt_name | join(', ') }} until {{ cert.not_after }}, chain verified: {{ cert.verified }}"

- name: Read a certificate file and check that it is valid now and in two weeks
  mirrorkit.gentoo.tls_certificate:
    path: /etc/letsencrypt/live/mirror.example.org/cert.pem
    valid_at:
      now: "+0s"
      two_weeks: "+2w"
  register: live
"""

RETURN = r"""
cert:
  description: The server's certificate in PEM form.
  returned: in fetch mode
  type: str
  sample: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"
verified:
  description: Whether the chain verified against O(ca_cert) or the system's trusted CAs.
  returned: in fetch mode
  type: bool
  sample: true
verify_error:
  description: Why the chain did not verify; null when it did.
  returned: in fetch mode
  type: str
  sample: unable to get local issuer certificate
name_matches:
  description: Whether the certificate is valid for O(server_name) (or O(host)), wildcards as in RFC 6125.
  returned: in fetch mode
  type: bool
  sample: true
subject:
  description: The subject's attributes by long name.
  returned: always
  type: dict
  sample: {commonName: mirror.example.org}
issuer:
  description: The issuer's attributes by long name.
  returned: always
  type: dict
  sample: {commonName: R11, organizationName: Let's Encrypt, countryName: US}
subject_alt_name:
  description: The subject alternative names, as C(DNS:name), C(IP:address), C(email:address) or C(URI:uri).
  returned: always
  type: list
  elements: str
  sample: ["DNS:mirror.example.org"]
serial_number:
  description: The certificate's serial number.
  returned: always
  type: int
  sample: 1234567890
not_before:
  description: Start of validity, ASN.1 time in UTC.
  returned: always
  type: str
  sample: "20260101000000Z"
not_after:
  description: End of validity, ASN.1 time in UTC.
  returned: always
  type: str
  sample: "20260401000000Z"
expired:
  description: Whether the certificate's end of validity has passed.
  returned: always
  type: bool
  sample: false
valid_at:
  description: For each name in O(valid_at), whether the certificate is valid at that time.
  returned: always
  type: dict
  sample: {now: true}
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import x509


def main():
    module = AnsibleModule(
        argument_spec=dict(
            host=dict(type='str'), port=dict(type='int'), server_name=dict(type='str'),
            ca_cert=dict(type='path'), timeout=dict(type='int', default=10),
            path=dict(type='path'), content=dict(type='str'), valid_at=dict(type='dict', default={}),
        ),
        required_one_of=[('host', 'path', 'content')],
        mutually_exclusive=[('host', 'path', 'content')],
        required_together=[('host', 'port')],
        supports_check_mode=True,
    )
    if not x509.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib('cryptography'))
    try:
        if module.params['host']:
            result = x509.fetch_and_describe(module.params)
        else:
            result = x509.read_and_describe(module.params)
    except x509.CertificateError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

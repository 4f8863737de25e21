# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""X.509 certificates for the tls_certificate module: fetch one from a TLS server (chain checked
with the standard library's ssl), read its names and dates (cryptography).

The result keys follow community.crypto.get_certificate and x509_certificate_info, so that
code written against those reads the same names.
"""

from __future__ import annotations

import datetime
import os
import re
import socket
import ssl

try:
    from cryptography import x509
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - reported by the module with missing_required_lib
    HAS_CRYPTOGRAPHY = False

ASN1_TIME = '%Y%m%d%H%M%SZ'
# The long attribute names x509_certificate_info uses (subject.commonName, issuer.commonName).
_NAMES = {
    'CN': 'commonName', 'O': 'organizationName', 'OU': 'organizationalUnitName', 'C': 'countryName',
    'ST': 'stateOrProvinceName', 'L': 'localityName', 'emailAddress': 'emailAddress',
    'DC': 'domainComponent', 'serialNumber': 'serialNumber',
}
_RELATIVE = re.compile(r'^([+-])(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$')
_UNITS = (7 * 86400, 86400, 3600, 60, 1)


class CertificateError(Exception):
    """A certificate that cannot be fetched or read; the message says why."""


def hostname_matches(hostname, names):
    """Whether a certificate for ``names`` (``DNS:`` entries or bare DNS names, ``*.`` wildcards
    in the leftmost label only, RFC 6125) is valid for ``hostname``."""
    host = str(hostname or '').rstrip('.').lower()
    for name in names or []:
        name = str(name)
        if name.startswith('DNS:'):
            name = name[4:]
        elif ':' in name:
            continue
        name = name.strip().rstrip('.').lower()
        if name == host:
            return True
        if name.startswith('*.') and '*' not in name[2:]:
            head, dot, tail = host.partition('.')
            if head and dot and tail == name[2:]:
                return True
    return False


def parse_time(spec, now):
    """A point in time from ``spec``: ASN.1 ``YYYYMMDDHHMMSSZ`` or relative to ``now``
    (``+0s``, ``-1d``, ``+32w1d2h``), as an aware UTC datetime."""
    spec = str(spec).strip()
    match = _RELATIVE.match(spec)
    if match and any(match.groups()[1:]):
        seconds = sum(int(n or 0) * unit for n, unit in zip(match.groups()[1:], _UNITS))
        return now + datetime.timedelta(seconds=seconds if match.group(1) == '+' else -seconds)
    try:
        return datetime.datetime.strptime(spec, ASN1_TIME).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise CertificateError('cannot read the time %r: give YYYYMMDDHHMMSSZ or a relative time like +0s, -1d, +32w1d2h' % spec)


def _name_dict(name):
    out = {}
    for attribute in name:
        short = attribute.rfc4514_attribute_name
        out[_NAMES.get(short, short)] = attribute.value
    return out


def _alt_names(cert):
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    names = ['DNS:%s' % n for n in extension.get_values_for_type(x509.DNSName)]
    names += ['IP:%s' % n for n in extension.get_values_for_type(x509.IPAddress)]
    names += ['email:%s' % n for n in extension.get_values_for_type(x509.RFC822Name)]
    names += ['URI:%s' % n for n in extension.get_values_for_type(x509.UniformResourceIdentifier)]
    return names


def _utc(cert, attribute):
    # cryptography 42 added the *_utc properties; older ones give naive UTC datetimes.
    value = getattr(cert, attribute + '_utc', None)
    if value is None:
        value = getattr(cert, attribute).replace(tzinfo=datetime.timezone.utc)
    return value


def describe(pem, now=None, valid_at=None):
    """Names and dates of the PEM certificate ``pem`` (text or bytes)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if isinstance(pem, str):
        pem = pem.encode('ascii', 'replace')
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise CertificateError('not a PEM certificate: %s' % exc)
    not_before, not_after = _utc(cert, 'not_valid_before'), _utc(cert, 'not_valid_after')
    return {
        'subject': _name_dict(cert.subject),
        'issuer': _name_dict(cert.issuer),
        'subject_alt_name': _alt_names(cert),
        'serial_number': cert.serial_number,
        'not_before': not_before.strftime(ASN1_TIME),
        'not_after': not_after.strftime(ASN1_TIME),
        'expired': not_after < now,
        'valid_at': dict((key, not_before <= parse_time(spec, now) <= not_after)
                         for key, spec in (valid_at or {}).items()),
    }


def read_file(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        raise CertificateError('cannot read %s: %s' % (path, exc))


def _handshake(host, port, server_name, context, timeout):
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=server_name or host) as tls:
            return tls.getpeercert(True)


def fetch(host, port, server_name=None, ca_cert=None, timeout=10):
    """The server's certificate as PEM and the outcome of checking its chain against ``ca_cert``
    (or the system's trusted CAs): ``(pem, verify_error)``, ``verify_error`` None when it verified.

    Like community.crypto.get_certificate, the chain is checked but not the name: the caller
    compares the names (hostname_matches) so that it can say which names the certificate has."""
    if ca_cert and not os.path.isfile(ca_cert):
        raise CertificateError('ca_cert file %s does not exist' % ca_cert)
    verify_error = None
    try:
        context = ssl.create_default_context(cafile=ca_cert or None)
        context.check_hostname = False
        try:
            der = _handshake(host, port, server_name, context, timeout)
        except ssl.SSLCertVerificationError as exc:
            verify_error = exc.verify_message or str(exc)
            # Read the certificate all the same, to report what the server presents.
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            der = _handshake(host, port, server_name, context, timeout)
    except (OSError, ssl.SSLError) as exc:
        raise CertificateError('Failed to get cert from %s:%s, error: %s' % (host, port, exc))
    if not der:
        raise CertificateError('Failed to get cert from %s:%s, error: the server sent no certificate' % (host, port))
    return ssl.DER_cert_to_PEM_cert(der), verify_error


def fetch_and_describe(params, now=None):
    """The module's result in fetch mode (``params``: host, port, server_name, ca_cert, timeout, valid_at)."""
    pem, verify_error = fetch(params['host'], params['port'], params.get('server_name'),
                              params.get('ca_cert'), params.get('timeout') or 10)
    result = describe(pem, now, params.get('valid_at'))
    name = params.get('server_name') or params['host']
    result.update(cert=pem, verified=verify_error is None, verify_error=verify_error,
                  name_matches=hostname_matches(name, result['subject_alt_name'] or
                                                ['DNS:' + result['subject'].get('commonName', '')]))
    return result


def read_and_describe(params, now=None):
    """The module's result in path or content mode."""
    pem = params.get('content') if params.get('content') is not None else read_file(params['path'])
    return describe(pem, now, params.get('valid_at'))

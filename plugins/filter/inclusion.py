# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mirror's entry for Gentoo's mirror list (distfiles.xml), and country names.

distfiles.xml groups mirrors by country::

    <mirrorgroup region="Europe" country="DE" countryname="Germany">
      <mirror>
        <name>Example University</name>
        <uri protocol="http" ipv4="y" ipv6="y" partial="n">http://mirror.example.de/</uri>
      </mirror>
    </mirrorgroup>

The text is written byte for byte as ``xmllint --format`` writes it (libxml2): the XML
declaration, two spaces per level, attributes in the given order, ``&amp; &lt; &gt; &quot;``
and ``&#10; &#13; &#9;`` in attribute values, ``&amp; &lt; &gt; &#13;`` in text, and an empty
element as ``<name/>``.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

# Regions Gentoo's mirror list uses.
REGIONS = ("Africa", "Asia", "Australia and Oceania", "Europe", "Middle East", "North America",
           "South America")

# ISO 3166-1 alpha-2 codes and short English names (Debian's iso-codes, common names).
COUNTRIES = {
    "AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan", "AG": "Antigua and Barbuda",
    "AI": "Anguilla", "AL": "Albania", "AM": "Armenia", "AO": "Angola", "AQ": "Antarctica",
    "AR": "Argentina", "AS": "American Samoa", "AT": "Austria", "AU": "Australia", "AW": "Aruba",
    "AX": "Åland Islands", "AZ": "Azerbaijan", "BA": "Bosnia and Herzegovina", "BB": "Barbados",
    "BD": "Bangladesh", "BE": "Belgium", "BF": "Burkina Faso", "BG": "Bulgaria", "BH": "Bahrain",
    "BI": "Burundi", "BJ": "Benin", "BL": "Saint Barthélemy", "BM": "Bermuda", "BN": "Brunei Darussalam",
    "BO": "Bolivia", "BQ": "Bonaire, Sint Eustatius and Saba", "BR": "Brazil", "BS": "Bahamas",
    "BT": "Bhutan", "BV": "Bouvet Island", "BW": "Botswana", "BY": "Belarus", "BZ": "Belize", "CA": "Canada",
    "CC": "Cocos (Keeling) Islands", "CD": "Congo, The Democratic Republic of the",
    "CF": "Central African Republic", "CG": "Congo", "CH": "Switzerland", "CI": "Côte d'Ivoire",
    "CK": "Cook Islands", "CL": "Chile", "CM": "Cameroon", "CN": "China", "CO": "Colombia",
    "CR": "Costa Rica", "CU": "Cuba", "CV": "Cabo Verde", "CW": "Curaçao", "CX": "Christmas Island",
    "CY": "Cyprus", "CZ": "Czechia", "DE": "Germany", "DJ": "Djibouti", "DK": "Denmark", "DM": "Dominica",
    "DO": "Dominican Republic", "DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia", "EG": "Egypt",
    "EH": "Western Sahara", "ER": "Eritrea", "ES": "Spain", "ET": "Ethiopia", "FI": "Finland", "FJ": "Fiji",
    "FK": "Falkland Islands (Malvinas)", "FM": "Micronesia, Federated States of", "FO": "Faroe Islands",
    "FR": "France", "GA": "Gabon", "GB": "United Kingdom", "GD": "Grenada", "GE": "Georgia",
    "GF": "French Guiana", "GG": "Guernsey", "GH": "Ghana", "GI": "Gibraltar", "GL": "Greenland",
    "GM": "Gambia", "GN": "Guinea", "GP": "Guadeloupe", "GQ": "Equatorial Guinea", "GR": "Greece",
    "GS": "South Georgia and the South Sandwich Islands", "GT": "Guatemala", "GU": "Guam",
    "GW": "Guinea-Bissau", "GY": "Guyana", "HK": "Hong Kong", "HM": "Heard Island and McDonald Islands",
    "HN": "Honduras", "HR": "Croatia", "HT": "Haiti", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland",
    "IL": "Israel", "IM": "Isle of Man", "IN": "India", "IO": "British Indian Ocean Territory", "IQ": "Iraq",
    "IR": "Iran", "IS": "Iceland", "IT": "Italy", "JE": "Jersey", "JM": "Jamaica", "JO": "Jordan",
    "JP": "Japan", "KE": "Kenya", "KG": "Kyrgyzstan", "KH": "Cambodia", "KI": "Kiribati", "KM": "Comoros",
    "KN": "Saint Kitts and Nevis", "KP": "North Korea", "KR": "South Korea", "KW": "Kuwait",
    "KY": "Cayman Islands", "KZ": "Kazakhstan", "LA": "Laos", "LB": "Lebanon", "LC": "Saint Lucia",
    "LI": "Liechtenstein", "LK": "Sri Lanka", "LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania",
    "LU": "Luxembourg", "LV": "Latvia", "LY": "Libya", "MA": "Morocco", "MC": "Monaco", "MD": "Moldova",
    "ME": "Montenegro", "MF": "Saint Martin (French part)", "MG": "Madagascar", "MH": "Marshall Islands",
    "MK": "North Macedonia", "ML": "Mali", "MM": "Myanmar", "MN": "Mongolia", "MO": "Macao",
    "MP": "Northern Mariana Islands", "MQ": "Martinique", "MR": "Mauritania", "MS": "Montserrat",
    "MT": "Malta", "MU": "Mauritius", "MV": "Maldives", "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia",
    "MZ": "Mozambique", "NA": "Namibia", "NC": "New Caledonia", "NE": "Niger", "NF": "Norfolk Island",
    "NG": "Nigeria", "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway", "NP": "Nepal", "NR": "Nauru",
    "NU": "Niue", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama", "PE": "Peru", "PF": "French Polynesia",
    "PG": "Papua New Guinea", "PH": "Philippines", "PK": "Pakistan", "PL": "Poland",
    "PM": "Saint Pierre and Miquelon", "PN": "Pitcairn", "PR": "Puerto Rico", "PS": "Palestine, State of",
    "PT": "Portugal", "PW": "Palau", "PY": "Paraguay", "QA": "Qatar", "RE": "Réunion", "RO": "Romania",
    "RS": "Serbia", "RU": "Russian Federation", "RW": "Rwanda", "SA": "Saudi Arabia",
    "SB": "Solomon Islands", "SC": "Seychelles", "SD": "Sudan", "SE": "Sweden", "SG": "Singapore",
    "SH": "Saint Helena, Ascension and Tristan da Cunha", "SI": "Slovenia", "SJ": "Svalbard and Jan Mayen",
    "SK": "Slovakia", "SL": "Sierra Leone", "SM": "San Marino", "SN": "Senegal", "SO": "Somalia",
    "SR": "Suriname", "SS": "South Sudan", "ST": "Sao Tome and Principe", "SV": "El Salvador",
    "SX": "Sint Maarten (Dutch part)", "SY": "Syria", "SZ": "Eswatini", "TC": "Turks and Caicos Islands",
    "TD": "Chad", "TF": "French Southern Territories", "TG": "Togo", "TH": "Thailand", "TJ": "Tajikistan",
    "TK": "Tokelau", "TL": "Timor-Leste", "TM": "Turkmenistan", "TN": "Tunisia", "TO": "Tonga",
    "TR": "Türkiye", "TT": "Trinidad and Tobago", "TV": "Tuvalu", "TW": "Taiwan", "TZ": "Tanzania",
    "UA": "Ukraine", "UG": "Uganda", "UM": "United States Minor Outlying Islands", "US": "United States",
    "UY": "Uruguay", "UZ": "Uzbekistan", "VA": "Holy See (Vatican City State)",
    "VC": "Saint Vincent and the Grenadines", "VE": "Venezuela", "VG": "Virgin Islands, British",
    "VI": "Virgin Islands, U.S.", "VN": "Vietnam", "VU": "Vanuatu", "WF": "Wallis and Futuna", "WS": "Samoa",
    "YE": "Yemen", "YT": "Mayotte", "ZA": "South Africa", "ZM": "Zambia", "ZW": "Zimbabwe",
}

# Characters XML 1.0 does not allow at all.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def country_name(code):
    """Short English name of an ISO 3166-1 alpha-2 country code (``DE`` -> ``Germany``)."""
    key = to_text(code or "").strip().upper()
    if key == "UK":
        key = "GB"
    if key not in COUNTRIES:
        raise AnsibleFilterError("country_name: %r is not an ISO 3166-1 alpha-2 country code" % to_text(code))
    return COUNTRIES[key]


def _check(value, what):
    text = to_text(value)
    if _INVALID.search(text):
        raise AnsibleFilterError("distfiles_xml: %s contains a character XML cannot hold: %r" % (what, text))
    return text


def xml_attr(value):
    """An attribute value escaped as libxml2 writes it."""
    text = _check(value, "an attribute")
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def xml_text(value):
    """Element text escaped as libxml2 writes it."""
    text = _check(value, "a text")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _yn(value):
    if isinstance(value, bool):
        return "y" if value else "n"
    text = to_text(value).strip().lower()
    if text in ("y", "yes", "true", "1"):
        return "y"
    if text in ("n", "no", "false", "0", ""):
        return "n"
    raise AnsibleFilterError("distfiles_xml: %r is not a yes/no value" % to_text(value))


def _element(indent, name, attrs, text):
    attributes = "".join(' %s="%s"' % (key, xml_attr(val)) for key, val in attrs)
    if text is None or to_text(text) == "":
        return "%s<%s%s/>" % (indent, name, attributes)
    return "%s<%s%s>%s</%s>" % (indent, name, attributes, xml_text(text), name)


def distfiles_xml(mirror):
    """The ``<mirrorgroup>`` document for one mirror.

    ``mirror`` holds ``region``, ``country`` (ISO code), ``countryname`` (optional, from
    :func:`country_name`), ``name`` and ``uris``: a list of ``{protocol, url, ipv4, ipv6,
    partial}`` (the yes/no values as booleans or ``y``/``n``).
    """
    if not isinstance(mirror, dict):
        raise AnsibleFilterError("distfiles_xml expects a dict describing the mirror")
    missing = [k for k in ("region", "country", "name", "uris") if not mirror.get(k)]
    if missing:
        raise AnsibleFilterError("distfiles_xml: %s missing" % ", ".join(missing))
    if mirror["region"] not in REGIONS:
        raise AnsibleFilterError("distfiles_xml: region %r is not one of %s" % (mirror["region"], ", ".join(REGIONS)))
    country = to_text(mirror["country"]).strip().upper()
    countryname = mirror.get("countryname") or country_name(country)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<mirrorgroup region="%s" country="%s" countryname="%s">' % (
                 xml_attr(mirror["region"]), xml_attr(country), xml_attr(countryname)),
             "  <mirror>",
             _element("    ", "name", [], mirror["name"])]
    for uri in mirror["uris"]:
        if uri.get("protocol") not in ("http", "https", "rsync", "ftp"):
            raise AnsibleFilterError("distfiles_xml: unknown protocol %r" % uri.get("protocol"))
        lines.append(_element("    ", "uri", [
            ("protocol", uri["protocol"]),
            ("ipv4", _yn(uri.get("ipv4", True))),
            ("ipv6", _yn(uri.get("ipv6", False))),
            ("partial", _yn(uri.get("partial", False))),
        ], uri["url"]))
    lines += ["  </mirror>", "</mirrorgroup>"]
    return "\n".join(lines) + "\n"


class FilterModule:
    """Filters of the inclusion_request playbook."""

    def filters(self):
        return {
            "country_name": country_name,
            "distfiles_xml": distfiles_xml,
        }

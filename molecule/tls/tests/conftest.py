"""Fixtures of the TLS scenario's tests."""

import pytest
import testinfra


@pytest.fixture(scope="module")
def pebble():
    return testinfra.get_host("podman://tls-pebble")


@pytest.fixture(scope="module")
def pebble_root(pebble, tmp_path_factory):
    """Pebble's runtime root (roots/0), fetched from its management interface to a local file."""
    out = pebble.check_output(
        "python3 -c \"import ssl, urllib.request; print(urllib.request.urlopen("
        "'https://localhost:15000/roots/0', context=ssl.create_default_context("
        "cafile='/etc/pebble/api-ca.pem'), timeout=10).read().decode())\""
    )
    assert "BEGIN CERTIFICATE" in out
    path = tmp_path_factory.mktemp("pebble") / "pebble-root.pem"
    path.write_text(out + "\n")
    return str(path)

"""Load the sync program roles/gentoo_mirror_sync/files/gentoo_mirror_sync.py (a file the role
installs, not a package module) as a module."""

import pathlib

import pytest

PROGRAM = pathlib.Path(__file__).resolve().parents[3] / "roles" / "gentoo_mirror_sync" / "files" / "gentoo_mirror_sync.py"


@pytest.fixture(scope="session")
def gms(load_source):
    return load_source(PROGRAM, "gentoo_mirror_sync_program")


@pytest.fixture
def cfg(gms, tmp_path):
    root = tmp_path / "mirror"
    state = tmp_path / "state"
    # A populated tree, as on every run but the first (the first sync skips the dry run).
    (root / "distfiles").mkdir(parents=True)
    (root / "distfiles" / "layout.conf").write_text("[structure]\n0=filename-hash BLAKE2B 8\n")
    (root / "distfiles" / "timestamp.mirmon").write_text("1764547200\n")
    state.mkdir()
    return gms.validate_config({
        "upstream": "rsync://upstream.example/gentoo/",
        "root": str(root),
        "state_dir": str(state),
        "user": "gentoo-mirror",
    })

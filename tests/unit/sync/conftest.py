"""Load the sync program roles/gentoo_mirror_sync/files/gentoo_mirror_sync.py (a file the role
installs, not a package module) as a module."""

import importlib.machinery
import importlib.util
import pathlib

import pytest

PROGRAM = pathlib.Path(__file__).resolve().parents[3] / "roles" / "gentoo_mirror_sync" / "files" / "gentoo_mirror_sync.py"


def load_program():
    loader = importlib.machinery.SourceFileLoader("gentoo_mirror_sync_program", str(PROGRAM))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gms():
    return load_program()


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

"""Load roles/gentoo_mirror_sync/files/gentoo-mirror-sync (a script without .py) as a module."""

import importlib.machinery
import importlib.util
import pathlib

import pytest

PROGRAM = pathlib.Path(__file__).resolve().parents[3] / "roles" / "gentoo_mirror_sync" / "files" / "gentoo-mirror-sync"


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
    root.mkdir()
    state.mkdir()
    return gms.validate_config({
        "upstream": "rsync://upstream.example/gentoo/",
        "root": str(root),
        "state_dir": str(state),
        "user": "gentoo-mirror",
    })

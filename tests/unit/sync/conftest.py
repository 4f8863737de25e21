"""Load roles/gentoo_mirror_sync/files/gentoo-mirror-sync (a script without .py) as a module."""

import importlib.machinery
import importlib.util
import pathlib
import types

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
    # A populated tree, as on every run but the first (the first sync skips the dry run).
    (root / "distfiles").mkdir(parents=True)
    (root / "distfiles" / "layout.conf").write_text("[structure]\n0=filename-hash BLAKE2B 8\n")
    state.mkdir()
    return gms.validate_config({
        "upstream": "rsync://upstream.example/gentoo/",
        "root": str(root),
        "state_dir": str(state),
        "user": "gentoo-mirror",
    })


class InlineThread:
    """Stands in for threading.Thread in the program: runs the target at start(), so that the
    order of the rsync calls (upstream check, then dry run) is fixed in the tests."""

    def __init__(self, target=None, name=None, daemon=None):
        self.target = target

    def start(self):
        self.target()

    def join(self, timeout=None):
        return None


@pytest.fixture(autouse=True)
def inline_threads(gms, monkeypatch):
    monkeypatch.setattr(gms, "threading", types.SimpleNamespace(Thread=InlineThread))

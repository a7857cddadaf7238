"""Fixtures shared by the whole suite, and a guard that fails any test reading outside the repository."""

import os
import sys
import tempfile
from pathlib import Path

import pytest

from sc_plugin.abc.runner import find_abc
from sc_plugin.errors import AbcNotFoundError

# Ray 2.60 turns token authentication on for every new local instance and leaves a token in ~/.ray; a head started by
# `ray start` in one test and a driver in another then disagree about it. The suite's Ray instances are private and
# on loopback, so the tests run them without tokens, whatever earlier runs left in the home folder.
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

# ---- the suite reads only files inside the repository ------------------------------------------------------------
# A plain clone has no ../shared beside it, so a test that reads the shared data folder (or any other sibling of the
# repository) passes on a developer machine and fails everywhere else. An audit hook, installed when pytest imports
# this file, turns every such open (and every directory listing there) into an error at the line that does it.
# Temporary files, the Python installation and the per-user cache and config folders stay allowed even when they
# lie beside the repository; ../shared and $SC_SHARED never are. Set SC_TESTS_ALLOW_OUTSIDE=1 to switch the guard off
# for a local experiment; no test may set it. Paths given to subprocesses (an ABC script's `read`) are not seen.

ALLOW_OUTSIDE_ENV = "SC_TESTS_ALLOW_OUTSIDE"
REPO = Path(__file__).resolve().parents[1]


class OutsideRepositoryError(RuntimeError):
    """A test opened a file outside the repository. Not an OSError, so `except OSError` cannot swallow it."""


def _outside_guard():
    """The audit hook. With the repository at the filesystem root (every path is a sibling), only the shared folder
    is refused."""
    repo = str(REPO)
    parent = str(REPO.parent)
    shared = [os.path.join(parent, "shared")] + ([os.path.abspath(os.environ["SC_SHARED"])]
                                                 if os.environ.get("SC_SHARED") else [])
    home = os.path.expanduser("~")
    allowed = [tempfile.gettempdir(), sys.prefix, sys.base_prefix, sys.exec_prefix,
               os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"),
               os.path.join(home, ".config"), os.path.join(home, ".local")]
    if os.environ.get("SC_CACHE"):
        allowed.append(os.path.dirname(os.path.abspath(os.environ["SC_CACHE"])))
    allowed += [entry for entry in sys.path if entry and os.path.isabs(entry)]
    # A folder that holds the repository (say PYTHONPATH=..) would allow every sibling: such entries do not count,
    # except the temporary folder (a clone under /tmp still writes temporary files there).
    allowed = [os.path.realpath(a) for a in allowed]
    allowed = [a for a in allowed if not _inside(repo, a) or a == os.path.realpath(tempfile.gettempdir())]
    forbidden = [os.path.realpath(s) for s in shared]
    siblings = parent != os.path.dirname(parent)

    def refused(path: str) -> bool:
        if _inside(path, repo):
            return False
        if any(_inside(path, f) for f in forbidden):
            return True
        return siblings and _inside(path, parent) and not any(_inside(path, a) for a in allowed)

    def hook(event: str, args: tuple) -> None:
        if event not in ("open", "os.listdir", "os.scandir") or not args:
            return
        path = args[0]
        if not isinstance(path, (str, bytes, os.PathLike)):
            return  # a file descriptor, or None (listing the current folder)
        try:
            path = os.fsdecode(os.fspath(path))
        except TypeError:
            return
        absolute = os.path.abspath(path)
        if refused(absolute) or refused(os.path.realpath(absolute)):
            raise OutsideRepositoryError(f"test reads {path!r} outside the repository {repo}: ship the data "
                                         f"under the repository (tests/data, flows/designs) or set "
                                         f"{ALLOW_OUTSIDE_ENV}=1 for a local experiment")

    return hook


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


if os.environ.get(ALLOW_OUTSIDE_ENV) != "1":
    sys.addaudithook(_outside_guard())


@pytest.fixture(scope="session")
def require_abc() -> str:
    """The ABC binary. Missing ABC fails the test unless SC_ALLOW_NO_ABC=1, so CI cannot pass by skipping."""
    try:
        return find_abc()
    except AbcNotFoundError as exc:
        if os.environ.get("SC_ALLOW_NO_ABC") == "1":
            pytest.skip(f"no ABC binary ({exc}); allowed by SC_ALLOW_NO_ABC=1")
        pytest.fail(f"{exc}; set SC_ALLOW_NO_ABC=1 to skip the tests that need ABC")


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """(path, Dataset): supervised data from 80 cones of the bundled int2float example, 30% held out."""
    from sc_plugin.training.data import DataParams, build_dataset

    folder = tmp_path_factory.mktemp("tiny_data")
    empty = folder / "none_tt.txt"
    empty.write_text("id\ttt_hex\n")
    dataset, _ = build_dataset(DataParams(circuits=("sc_plugin/data/examples/int2float.aig",),
                                          exclude_sets=(str(empty),), cones_per_circuit=80, valid_fraction=0.3,
                                          seed=0))
    path = folder / "data.npz"
    dataset.save(path)
    return path, dataset

"""Fixtures shared by the whole suite."""

import os

import pytest

from sc_plugin.abc.runner import find_abc
from sc_plugin.errors import AbcNotFoundError


@pytest.fixture(scope="session")
def require_abc() -> str:
    """The ABC binary. Missing ABC fails the test unless SC_ALLOW_NO_ABC=1, so CI cannot pass by skipping."""
    try:
        return find_abc()
    except AbcNotFoundError as exc:
        if os.environ.get("SC_ALLOW_NO_ABC") == "1":
            pytest.skip(f"no ABC binary ({exc}); allowed by SC_ALLOW_NO_ABC=1")
        pytest.fail(f"{exc}; set SC_ALLOW_NO_ABC=1 to skip the tests that need ABC")

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import forage  # noqa: E402
from forage import _control  # noqa: E402


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Every test starts outside Forage, in its own folder, with no cached control channel."""
    for key in list(os.environ):
        if key.startswith("FORAGE_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    _control.reset_channel()
    yield
    _control.reset_channel()

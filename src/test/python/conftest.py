"""Puts src/main/python on sys.path so that tests import the ``sanasr`` package; registers ``slow``."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "main" / "python"))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: longer tests (deselect with -m 'not slow')")

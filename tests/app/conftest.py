"""Fixtures shared by the AppTest suites."""

from __future__ import annotations

import pytest
from apptest_media import record_served_media


@pytest.fixture
def served_media(monkeypatch):
    """URL -> the file (bytes, MIME type, download name) Streamlit would serve there, for this test's runs."""
    return record_served_media(monkeypatch)

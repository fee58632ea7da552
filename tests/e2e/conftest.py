"""End-to-end tests with real third-party programs (a sync engine); marked ``e2e``."""

from __future__ import annotations

from collections.abc import Generator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so the marker is known even where pyproject lacks it.
    config.addinivalue_line(
        "markers", "e2e: end-to-end tests that run real programs such as Syncthing"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Let fixtures see whether the test failed (``request.node.rep_call``), to show the
    programs' logs only then; the pattern from pytest's documentation."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

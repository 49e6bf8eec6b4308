"""The server's logging: receipts do not flood the log with fontTools' subsetting notes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from bot.logging_setup import configure_logging
from dialogs.office import load_office_info
from dialogs.ports import ApplicationView
from office.receipts import render_receipt


@pytest.fixture
def server_logging() -> Iterator[None]:
    """The server's configuration, undone afterwards so other tests keep pytest's defaults."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("fontTools").level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    configure_logging()
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.setLevel(saved[0])
        for handler in saved[1]:
            root.addHandler(handler)
        logging.getLogger("fontTools").setLevel(saved[2])


def test_a_receipt_logs_no_font_subsetting_lines(
    server_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    application = ApplicationView(
        reference="SKT-2026-000123", status="submitted", status_note="", kbli="56102",
        kbli_version="KBLI2025", kbli_title="Warung makan", business_name="Bakso Pak Kumis",
        rule_set_version=1,
        due_date=date(2026, 12, 4), created_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
        applicant={"full_name": "Siti Aminah", "nik": "3574015505900001"},
    )  # fmt: skip
    with caplog.at_level(logging.INFO):
        pdf = render_receipt(application, "id", load_office_info())
        logging.getLogger("siketan.http").info("GET /healthz 200 1.0 ms")
    # The receipt did embed a subset TrueType font (the work that used to log ~75 lines) ...
    assert b"/FontFile2" in pdf
    # ... and the server's own INFO lines still get through.
    assert [r.name for r in caplog.records] == ["siketan.http"]

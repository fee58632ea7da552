"""The report's file formats: which exist, which file extension means which, and the
one function that writes a report in any of them."""

from __future__ import annotations

from rmpair.report.html import render_html
from rmpair.report.markdown import render_markdown
from rmpair.report.model import Report, render_json

FORMATS = ("md", "html", "json")
EXTENSIONS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def render(report: Report, fmt: str) -> str:
    """The report in one of ``FORMATS``."""
    if fmt == "md":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r}")

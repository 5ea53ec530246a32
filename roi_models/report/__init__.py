"""The CMO report: one self-contained HTML file (printable, also as PDF) and an Excel workbook.

Public API (the CLI's ``roi-models report`` and ``export-excel`` call these):

- :class:`ReportOptions` -- title, date (required: never read from the clock
  while rendering), risk adjustments, scenarios;
- :func:`render_report` -- results in, HTML text out (pure, deterministic);
- :func:`write_report` -- render and write atomically;
- :func:`print_pdf` -- print the HTML file with headless Chromium;
- :func:`write_excel` -- the tidy frames and the annual tables as a workbook.
"""

from .excel import write_excel
from .html import render_report, write_report
from .options import ReportOptions
from .pdf import find_chromium, print_pdf

__all__ = ["ReportOptions", "find_chromium", "print_pdf", "render_report", "write_excel",
           "write_report"]

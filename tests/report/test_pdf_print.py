"""Printing the report to PDF with Debian's chromium, and the message when there is none."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from roi_models.errors import InputError
from roi_models.report import print_pdf


@pytest.mark.browser
def test_print_pdf_produces_a_pdf(chromium_path, report_path, tmp_path):
    out = print_pdf(report_path, tmp_path / "report.pdf")
    data = out.read_bytes()
    print(f"PDF size: {len(data) / 1e6:.2f} MB")
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 5  # page breaks
    with pytest.raises(InputError, match="already exists"):
        print_pdf(report_path, out)
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # paper never asks to drag a slider or pick a menu, and says where the rest is
        text = subprocess.run([pdftotext, str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        text = " ".join(text.split())  # lines wrap anywhere on paper
        assert "Drag the slider" not in text and "Pick another plan" not in text
        assert "The other plans follow as small charts." in text
        assert "On paper the chart shows the plan as in its file" in text


def test_missing_chromium_is_named_with_the_install_command(report_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ROI_MODELS_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(InputError) as err:
        print_pdf(report_path, tmp_path / "report.pdf")
    assert "apt-get install -y chromium" in str(err.value)
    assert "Chromium" in str(err.value)
    assert not (tmp_path / "report.pdf").exists()

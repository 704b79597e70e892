"""What several journeys do the same way: hand on what a step made, pick in a Material select, answer a page's
confirmation, read a downloaded PDF. The fixtures (`people`, `story`, `showcase`) are in conftest.py."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Locator, Page
from pypdf import PdfReader


def needs(story: dict[str, str], key: str, step: str) -> str:
    """What an earlier step of the journey left (`story[key]`); fails naming that step when it left nothing."""
    assert key in story, f"nothing to work on: {step} did not pass"
    return story[key]


def choose(page: Page, scope: Locator, label: str, option: str) -> None:
    """Pick `option` in the Material select labelled `label` within `scope`: a button that opens a list."""
    scope.get_by_role("button", name=re.compile(rf"^{re.escape(label)}")).click()
    page.get_by_role("option", name=option, exact=True).click()


def confirming(page: Page) -> None:
    """The page's next confirmation question (a button's data-confirm) is answered yes."""
    page.once("dialog", lambda dialog: dialog.accept())


def pdf_text(pdf: bytes) -> str:
    """A PDF's text without whitespace: a record wraps its lines anywhere in a sentence."""
    return re.sub(r"\s+", "", "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages))

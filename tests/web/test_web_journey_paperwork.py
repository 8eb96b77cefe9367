"""In Chromium (Debian's, as test_web_browser.py drives it): a manager opens a refund letter
(and prints it to PDF), an administrator adds and disables a user, a biller uploads a ledger
with an error and sees it named by file, row and column. Screenshots (and the letter's PDF) go
to test-artifacts/journey/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_web_browser import ARTIFACTS, CHROMIUM, _sign_in, _sign_out, live_server, page
from web_helpers import PRACTICE, first_confirmed_case

from cbclassify.settings import PracticeDetails, Settings

__all__ = ["live_server", "page"]  # the fixtures, shared with test_web_browser.py
JOURNEY = ARTIFACTS / "journey"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("web"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium (/usr/bin/chromium)"),
]


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """The practice's letterhead configured (as CBCLASSIFY_PRACTICE_DETAILS would)."""
    web_settings.practice_details[PRACTICE] = PracticeDetails(
        address=["12 Main St", "Springfield, IL 62701"],
        npi="1234567893",
        tin="12-3456789",
        contact_name="Pat Biller",
        phone="555-0100",
        email="billing@sunrise.example",
    )
    return web_settings


def test_letter_users_and_an_upload_with_an_error(
    page, web_settings: Settings, small_ledger: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    JOURNEY.mkdir(parents=True, exist_ok=True)
    case = first_confirmed_case(web_settings, ("refund_payer",))

    # The manager opens the case and its refund letter, and prints it to PDF.
    _sign_in(page, "max")
    page.goto(f"/cases/{case.id}")
    page.get_by_role("link", name="Refund request letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Refund request letter, claim {case.claim_id}"
    )
    letter = page.get_by_role("article")
    expect(letter.locator("tr", has_text="Claim number")).to_contain_text(case.claim_id)
    expect(letter).to_contain_text("NPI 1234567893")
    expect(letter).to_contain_text("Check / EFT trace")
    page.screenshot(path=str(JOURNEY / "refund-letter.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()  # print CSS
    page.screenshot(path=str(JOURNEY / "refund-letter-print.png"), full_page=True)
    page.pdf(path=str(JOURNEY / "refund-letter.pdf"), format="Letter")
    page.emulate_media(media="screen")
    _sign_out(page)

    # The administrator adds a user, then disables them.
    _sign_in(page, "root")
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Password", exact=True).fill("plum-harbor-lantern-42")
    page.locator("#new-role-biller").check()
    page.locator(f"#new-pr-{PRACTICE}").check()
    page.get_by_role("button", name="Add the user").click()
    expect(page.get_by_role("status").filter(has_text="nora: The user was added.")).to_be_visible()
    page.get_by_text("Manage nora").click()
    page.get_by_role("button", name="Deactivate nora").click()
    expect(page.get_by_role("status").filter(has_text="was deactivated")).to_be_visible()
    expect(page.locator("tr", has_text="nora").first).to_contain_text("Deactivated")
    page.screenshot(path=str(JOURNEY / "users.png"), full_page=True)
    _sign_out(page)

    # A biller uploads the ledger's files, one with an unknown payer type.
    folder = tmp_path / "ledger"
    shutil.copytree(small_ledger, folder)
    payers = pd.read_csv(folder / "payers.csv", dtype=str, keep_default_na=False)
    payers.loc[2, "payer_type"] = "bartering"
    payers.to_csv(folder / "payers.csv", index=False)
    _sign_in(page, "bill")
    page.get_by_role("link", name="Uploads").click()
    page.get_by_label("Ledger zip or files").set_input_files(
        [str(p) for p in sorted(folder.glob("*.csv")) if p.name != "synth_truth.csv"]
    )
    page.get_by_role("button", name="Upload the ledger").click()
    expect(page.get_by_role("alert").filter(has_text="nothing was ingested")).to_be_visible()
    problem = page.locator("table.problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("payers.csv")
    expect(problem.locator("td").nth(1)).to_have_text("4")
    expect(problem.locator("td").nth(2)).to_have_text("payer_type")
    expect(problem).to_contain_text("bartering")
    page.screenshot(path=str(JOURNEY / "upload-problem.png"), full_page=True)

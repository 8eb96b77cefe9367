"""The billers' and managers' day in a real browser (Debian's Chromium through Playwright, as
``test_web_browser``): a biller searches, filters, reads the total and the aging buckets, bulk
assigns, bulk proposes and exports; a manager bulk approves through the confirmation page.
Screenshots go to test-artifacts/journey/."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from test_web_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    _sign_in,
    _sign_out,
    live_server,
)
from web_helpers import PRACTICE

from cbclassify.settings import Settings
from cbclassify.store.db import Database
from cbclassify.store.models_auth import Practice
from cbclassify.store.models_cases import CreditCase

JOURNEY = ARTIFACTS / "journey"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("web"),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install "
        "chromium); Playwright's own browser download is not used",
    ),
]


@pytest.fixture
def wide_page(live_server: str):  # noqa: F811
    """A Chromium page on a 1080p screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1920, "height": 1080},
                base_url=live_server,
                accept_downloads=True,
            )
            yield context.new_page()
        finally:
            browser.close()


def _cases(settings: Settings) -> list[CreditCase]:
    db = Database.from_url(settings.resolved_database_url)
    try:
        with db.read_session() as s:
            pid = s.scalar(select(Practice.id).where(Practice.code == PRACTICE))
            return list(
                s.scalars(
                    select(CreditCase).where(CreditCase.practice_id == pid).order_by(CreditCase.id)
                )
            )
    finally:
        db.dispose()


def _shot(page, name: str) -> None:
    JOURNEY.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEY / f"{name}.png"), full_page=True)


def test_biller_and_manager_day_on_the_worklist(wide_page, web_settings: Settings) -> None:
    from playwright.sync_api import expect

    page = wide_page
    cases = _cases(web_settings)
    target = next(c for c in cases if c.verification == "confirmed")
    refunds = [
        c
        for c in cases
        if c.verification == "confirmed"
        and c.recommended_action in ("refund_payer", "payer_offset")
    ]
    assert refunds

    # The biller: dense rows (one line each, ~20+ on a 1080p screen), totals and buckets.
    _sign_in(page, "bill")
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    expect(page.locator(".as-of")).to_contain_text("ledger as of")
    expect(page.locator(".total-credit")).to_contain_text("$")
    expect(
        page.get_by_role("navigation", name="Aging: days in credit").get_by_role("link")
    ).to_have_count(6)
    rows = page.locator("table.worklist tbody tr")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(min(rows.count(), 25))]
    assert max(heights) <= 40, heights
    on_screen = [
        i for i in range(rows.count()) if rows.nth(i).bounding_box()["y"] + heights[0] <= 1080
    ]
    assert len(on_screen) >= 20, f"only {len(on_screen)} rows on the first 1080p screen"
    patient = page.locator("table.worklist tbody tr td.nowrap").first
    assert patient.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    _shot(page, "01-worklist")

    # Search by claim number.
    page.get_by_label("Claim number or patient id").fill(target.claim_id)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(f"**q={target.claim_id}**")
    expect(rows.first).to_contain_text(target.claim_id)
    _shot(page, "02-search")

    # Filter: confirmed credits, then an aging bucket.
    page.get_by_label("Claim number or patient id").fill("")
    page.get_by_label("Verification").select_option("confirmed")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**verification=confirmed**")
    confirmed = [c for c in cases if c.verification == "confirmed"]
    expect(page.get_by_role("status").first).to_contain_text(f"{len(confirmed)} cases")
    bucket = page.get_by_role("navigation", name="Aging: days in credit").get_by_role("link").nth(1)
    bucket.click()
    page.wait_for_url("**age=**")
    expect(page.locator('.aging a[aria-current="true"]')).to_have_count(1)
    _shot(page, "03-filter-and-bucket")

    # Bulk assign two rows to myself.
    page.goto(f"/practices/{PRACTICE}/worklist")
    page.get_by_label(f"Select claim {cases[0].claim_id}", exact=True).check()
    page.get_by_label(f"Select claim {cases[1].claim_id}", exact=True).check()
    page.get_by_label("Action", exact=True).select_option("assign")
    page.get_by_label("Assign to", exact=True).select_option(label="bill (me)")
    page.get_by_role("button", name="Apply to selection").click()
    expect(page.get_by_role("status")).to_contain_text("Assigned 2 cases to bill")
    _shot(page, "04-bulk-assigned")
    page.get_by_role("link", name="Back to the worklist").click()
    page.get_by_role("link", name="My cases").click()
    expect(rows).to_have_count(2)

    # Bulk propose on the confirmed ones: select the whole page (the header checkbox).
    page.goto(f"/practices/{PRACTICE}/worklist?verification=confirmed&per_page=100")
    page.get_by_label("Select every row on this page").check()
    page.get_by_label("Action", exact=True).select_option("propose")
    page.get_by_role("button", name="Apply to selection").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Proposed the recommended action on {len(confirmed)} cases"
    )
    _shot(page, "05-bulk-proposed")

    # Export every matching case (all pages) as CSV.
    page.goto(f"/practices/{PRACTICE}/worklist?per_page=25")
    total = len([c for c in cases if c.credit_present and c.state != "done"])
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Export CSV")).click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows_out = list(csv.DictReader(io.StringIO(text)))
    assert len(rows_out) == total > 25
    _sign_out(page)

    # The manager approves every proposal waiting, after one confirmation.
    _sign_in(page, "max")
    page.goto(f"/practices/{PRACTICE}/worklist?status=action_proposed")
    page.get_by_label("Action", exact=True).select_option("approve")
    page.get_by_label(re.compile(r"All \d+ matching the filter")).check()
    page.get_by_role("button", name="Apply to selection").click()
    n = len(refunds)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Approve {n} proposal{'' if n == 1 else 's'}?"
    )
    expect(page.locator(".confirm-total")).to_contain_text("$")
    _shot(page, "06-approve-confirmation")
    page.get_by_role("button", name=re.compile(rf"^Approve {n} proposal")).click()
    expect(page.get_by_role("status")).to_contain_text(f"Approved {n} case")
    expect(page.get_by_role("status")).to_contain_text(refunds[0].claim_id)
    _shot(page, "07-approved")

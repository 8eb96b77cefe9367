"""End to end in a real browser: Playwright drives Debian's Chromium (never a downloaded one)
against the real app served by uvicorn. A biller filters the worklist, opens a case and proposes
the recommended action; a manager approves it; an auditor finds both in the audit trail.
Screenshots of the worklist and the case page go to test-artifacts/."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_helpers import PASSWORD, first_confirmed_case

from api.app import create_app
from api.config import ServiceConfig
from cbclassify.service.champion import LoadedModel
from cbclassify.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
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
def live_server(
    web_settings: Settings, service_config: ServiceConfig, champion: LoadedModel
) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    app = create_app(web_settings, config=service_config, model_loader=lambda _: champion)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def page(live_server: str) -> Iterator[object]:
    """A Chromium page at laptop size."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, base_url=live_server
            )
            yield context.new_page()
        finally:
            browser.close()


def _sign_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")


def test_biller_proposes_manager_approves_auditor_sees_both(page, web_settings: Settings) -> None:
    from playwright.sync_api import expect

    case = first_confirmed_case(web_settings, ("refund_payer", "payer_offset"))
    ARTIFACTS.mkdir(exist_ok=True)

    # The biller: keyboard first (skip link), filter the worklist, open the case, propose.
    _sign_in(page, "bill")
    expect(page.get_by_role("heading", level=1, name="Worklist")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_label("Payer").select_option(case.payer_id or "")
    page.get_by_label("Verification").select_option("confirmed")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**verification=confirmed**")
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text(case.payer_id or "")
        expect(rows.nth(i)).to_contain_text("Confirmed")
    page.screenshot(path=str(ARTIFACTS / "worklist.png"))
    page.get_by_role("link", name=case.claim_id, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim {case.claim_id}")
    assert page.locator("table.history tr.evidence").count() == len(case.evidence or [])
    expect(page.get_by_label("Action", exact=True)).to_have_value(case.recommended_action or "")
    page.screenshot(path=str(ARTIFACTS / "case.png"), full_page=True)
    page.get_by_role("button", name="Propose").focus()
    page.keyboard.press("Enter")  # keyboard-operable
    expect(page.get_by_role("status").filter(has_text="Your proposal is recorded")).to_be_visible()
    _sign_out(page)

    # The manager approves from the approval queue.
    _sign_in(page, "max")
    page.get_by_role("link", name="Approvals").click()
    page.screenshot(path=str(ARTIFACTS / "approvals.png"))
    page.get_by_role("button", name=f"Approve claim {case.claim_id} (asks you to confirm)").click()
    expect(page.get_by_role("heading", name="Approve 1 proposal?")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Approve 1 proposal \(\$")).click()
    expect(page.get_by_role("status").filter(has_text="Approved 1 case")).to_be_visible()
    _sign_out(page)

    # The auditor finds the proposal and the approval in the case's trail.
    _sign_in(page, "ada")
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Case number").fill(str(case.id))
    page.get_by_role("button", name="Show").click()
    trail = page.locator("table.audit tbody tr")
    expect(trail.filter(has_text="Proposed an action").filter(has_text="bill")).to_have_count(1)
    expect(trail.filter(has_text="Approved").filter(has_text="max")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "audit.png"))

"""The manager's report: every section says something (with and without inputs), the page is
self-contained, the numbers add up, and it renders in headless Chromium without broken images."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cbclassify.contract.money import dollars
from cbclassify.reports import build_report, build_sections, write_report
from cbclassify.reports import tables as T
from reports.fabricate import AS_OF, empty_inputs, full_inputs, worklist

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SECTION_IDS = [
    "overview",
    "compliance",
    "age",
    "root-causes",
    "importance",
    "examples",
    "model",
    "resolutions",
]


def test_every_section_has_content_with_full_inputs() -> None:
    sections = build_sections(full_inputs())
    assert [s.id for s in sections] == SECTION_IDS
    for section in sections:
        assert section.lead.strip(), section.id
        assert section.figures, f"{section.id} has no figure"
    causes = next(s for s in sections if s.id == "root-causes")
    rates = causes.tables[-1]
    assert rates.caption.startswith("Credits per 1,000 claims by payer")
    assert rates.rows[0][:3] == ["Aetna", "400", "7.5"]  # 3 payer overpayments / 400 claims
    examples = next(s for s in sections if s.id == "examples")
    assert len(examples.items) == 4 and all("toward" in item for item in examples.items)


def test_every_section_says_something_useful_when_empty() -> None:
    sections = build_sections(empty_inputs())
    assert [s.id for s in sections] == SECTION_IDS
    leads = {s.id: s.lead for s in sections}
    assert leads["resolutions"].startswith("No resolutions in this ledger yet")
    assert "cbclassify train" in leads["importance"]
    assert all(lead.strip() and not s.figures for s, lead in zip(sections, leads.values()))


def test_report_is_self_contained() -> None:
    html = build_report(full_inputs())
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) >= 10 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html


def test_numbers_add_up() -> None:
    inputs = full_inputs()
    credits = T.open_credits(inputs.worklist, inputs.scores)
    assert credits["credit_amount_cents"].sum() == inputs.worklist["credit_amount_cents"].sum()
    due = T.due_table(credits, AS_OF)
    assert (
        due["credits"].sum() == len(credits)
        and due["amount_cents"].sum() == credits["credit_amount_cents"].sum()
    )
    overview = build_sections(inputs)[0]
    assert dollars(inputs.worklist["credit_amount_cents"].sum()) in overview.lead
    totals = T.resolution_totals(inputs.resolutions)
    res = inputs.resolutions
    refunded = res.loc[res["action"].isin(["refund_payer", "refund_patient"]), "amount_cents"].sum()
    assert totals.loc["refunded", "amount_cents"] == refunded
    assert totals["amount_cents"].sum() == res["amount_cents"].sum()


def test_source_is_verified_then_predicted_then_unclassified() -> None:
    work = worklist(3)
    scores = pd.DataFrame(
        {
            "claim_id": work["claim_id"][:2],
            "predicted_source": ["patient_credit", "allowance_error"],
            "verification": ["confirmed", "refuted"],
            "verified_source": ["duplicate_payment", None],
        }
    )
    credits = T.open_credits(work, scores)
    assert list(credits["source"]) == ["duplicate_payment", "allowance_error", "unclassified"]
    assert list(credits["basis"]) == ["verified", "predicted", "none"]


def _render_and_check(html_path: Path, screenshot: Path) -> dict[str, object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            page.screenshot(path=str(screenshot), full_page=True)
            return page.evaluate(
                """() => ({
                    images: Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0),
                    sections: Array.from(document.querySelectorAll('section')).map(s => ({
                        id: s.id,
                        text: s.innerText.replace(s.querySelector('h2').innerText, '').trim().length,
                    })),
                })"""
            )
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("name, make", [("full", full_inputs), ("empty", empty_inputs)])
def test_report_renders_in_headless_chromium(name, make, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium not found at {CHROMIUM}; the lead installs it")
    html = write_report(make(), tmp_path / f"report-{name}.html")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"report-{name}.png"
    result = _render_and_check(html, screenshot)
    assert screenshot.stat().st_size > 10_000
    assert [s["id"] for s in result["sections"]] == SECTION_IDS
    assert all(s["text"] > 20 for s in result["sections"]), result["sections"]
    assert all(width > 0 for width in result["images"]), "broken image"
    assert len(result["images"]) >= (10 if name == "full" else 0)

"""The dashboard in a real browser: an engineer signs in with a key (keyboard only), sees the
KPIs refresh by themselves, opens their exception, edits and replays it, sees it leave the
queue, and follows its lineage to the delivery — on a laptop's width and on a wall screen's."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from mfgsync.demo.plant import bom

from tests.support.messages import envelope

LAPTOP, WALL = {"width": 1366, "height": 768}, {"width": 2560, "height": 1440}
pytestmark = pytest.mark.slow


def ghost_release(plant) -> None:
    """A revision with a component nobody created, under a change's correlation id: quarantined for engineering."""
    revision = bom("PMP-100", "C", [("IMP-200", "1", "C62"), ("GHOST-7", "2", "C62")], effective_from="2027-03-01")
    plant.hub.intake.ingest([envelope("bom.released", {**revision, "effective_from": "2027-03-01",
                                                       "lines": [{**line, "qty_per": str(line["qty_per"])}
                                                                 for line in revision["lines"]]},
                                      message_id="plm-ghost-7", correlationid="ECO-77")])


def sign_in_with_the_keyboard(page, plant, key: str) -> None:
    page.goto(plant.url + "/")
    expect(page.get_by_label("API key")).to_be_focused()  # the form takes the key at once
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def received(page) -> int:
    return int(page.locator('[data-stage="received"] .figure').inner_text())


def test_an_engineer_fixes_a_quarantined_bom_and_follows_it_to_its_delivery(browser, plant, screenshot):
    ghost_release(plant)
    page = browser.new_page(viewport=LAPTOP)
    sign_in_with_the_keyboard(page, plant, plant.keys["engineering"])
    before = received(page)
    assert before > 40
    screenshot(page, "overview-laptop")

    plant.hub.intake.ingest([envelope("item.upserted", {"item_id": "GASKET-9", "description": "Gasket",
                                                        "base_uom": "C62"}, message_id="plm-gasket-9")])
    expect(page.locator('[data-stage="received"] .figure')).to_have_text(str(before + 1), timeout=12_000)

    page.get_by_role("link", name="Exceptions").click()
    row = page.locator("tr", has_text="GHOST-7")
    expect(row).to_have_count(1)
    assert "planner" not in page.locator("table.queue").inner_text(), "the queue is the engineer's own"
    detail = row.get_by_role("link").get_attribute("href")
    row.get_by_role("link").click()
    screenshot(page, "exception")

    payload = page.get_by_label(re.compile("Payload"))
    payload.fill(payload.input_value().replace("GHOST-7", "HSG-300"))
    page.get_by_role("button", name="Replay", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("replayed (applied)")
    expect(page.locator("tr", has_text="GHOST-7")).to_have_count(0)
    screenshot(page, "queue-after-replay")

    page.goto(plant.url + detail)  # closed now, by the engineer, with its lineage a link away
    expect(page.get_by_role("heading", level=1)).to_contain_text("replayed")
    page.get_by_role("link", name="ECO-77").click()
    timeline = page.get_by_role("list", name=re.compile("everything ECO-77 caused"))
    expect(timeline.locator("li.kind-message")).to_contain_text("bom.released")
    deliveries = timeline.locator("li.kind-delivery")
    for _ in range(40):  # the page shows the lineage as it was when asked: look again until delivered
        if deliveries.count() and "delivered" in deliveries.first.inner_text():
            break
        time.sleep(0.25)
        page.reload()
    expect(timeline.locator("li.kind-delivery").first).to_contain_text("delivered")
    screenshot(page, "lineage")

    wall = browser.new_page(viewport=WALL)
    sign_in_with_the_keyboard(wall, plant, plant.keys["engineering"])
    wall.get_by_role("link", name="ECO propagation").click()
    expect(wall.locator('tr[data-eco="ECO-42"]')).to_be_visible()
    screenshot(wall, "eco-matrix-wall")


def test_a_planner_sees_only_the_planners_queue_and_a_bad_key_is_refused(browser, plant, screenshot):
    ghost_release(plant)
    page = browser.new_page(viewport=LAPTOP)
    page.goto(plant.url + "/")
    page.get_by_label("API key").fill("mfgsync.engineering.guessed")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That key is not valid")).to_be_visible()
    sign_in_with_the_keyboard(page, plant, plant.keys["planner"])
    page.get_by_role("link", name="Exceptions").click()
    expect(page.locator("tr", has_text="GHOST-7")).to_have_count(0)
    page.keyboard.press("Tab")  # the skip link comes first, for keyboard users
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    screenshot(page, "planner-queue")

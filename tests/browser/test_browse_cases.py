"""A reader browses the cases in a real Chromium: directory, filter, search, a person's page."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from playwright.sync_api import expect

from cases.timeline import build_timeline

from .conftest import DESKTOP, PHONE, RequestLog

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The directory's filters are GET parameters: current status as facet links, the year of
# crossing as a small form.
STATUS_FILTER = "status"
REFUGEE = "refugee"


def person_link(page, person):
    # A public person's URL may add a readable name after the reference.
    return page.locator(f'main a[href^="/people/{person.ref}/"]').first


def shows(page, person):
    return page.locator(f'main a[href^="/people/{person.ref}/"]').count() > 0


def fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def click_where_drawn(page, link):
    """Click the middle of what the reader sees. A superscript marker with line-height 0 has
    a flat content box, where Playwright's own click lands on the paragraph instead."""
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def open_filters(page):
    """On a phone the filters sit behind a disclosure: open it as a reader would."""
    # ``has`` locators are relative to the element they filter: no "main" in them.
    choice = page.locator(f'main a[href*="{STATUS_FILTER}="]').first
    panel = page.locator("main details", has=page.locator(f'a[href*="{STATUS_FILTER}="]'))
    summary = panel.locator("summary").first
    if not choice.is_visible() and summary.is_visible():
        summary.click()


def choose_status(page, value):
    open_filters(page)
    choice = page.locator(f'main a[href*="{STATUS_FILTER}={value}"]').first
    expect(choice).to_be_visible()
    choice.click()
    page.wait_for_url(re.compile(rf"[?&]{STATUS_FILTER}={value}"))


def submit_years(page, year_min):
    open_filters(page)
    field = page.locator('main form input[name="year_min"]')
    field.fill(str(year_min))
    form = page.locator("main form", has=page.locator('input[name="year_min"]'))
    form.locator('button[type="submit"], input[type="submit"], button:not([type])').first.click()
    page.wait_for_url(re.compile(rf"[?&]year_min={year_min}"))


def test_it_filters_searches_and_opens_a_person(
    page, live_server, case_files, requests_made, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/people/")
    expect(page.locator('main input[name="q"]')).to_be_visible()
    for person in (case_files.kaisha, case_files.murager, case_files.sairagul):
        expect(person_link(page, person)).to_be_visible()
    assert not shows(page, case_files.hidden)
    assert case_files.hidden.name not in page.content()

    # Filter: refugees only; the filter lands in the URL.
    choose_status(page, REFUGEE)
    expect(person_link(page, case_files.kaisha)).to_be_visible()
    assert not shows(page, case_files.murager)
    assert not shows(page, case_files.sairagul)

    # The filter form: crossed in 2019 or later leaves Murager (2019), not Kaisha (2018).
    page.goto(f"{live_server.url}/people/")
    submit_years(page, 2019)
    expect(person_link(page, case_files.murager)).to_be_visible()
    assert not shows(page, case_files.kaisha)

    # Search: a misspelling on PostgreSQL (trigram similarity); SQLite only matches a part.
    query = "Kiasha Akan" if connection.vendor == "postgresql" else "Akan"
    page.goto(f"{live_server.url}/people/")
    search = page.locator('main input[name="q"]')
    search.fill(query)
    search.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q="))
    expect(person_link(page, case_files.kaisha)).to_be_visible()
    assert not shows(page, case_files.murager)
    assert not shows(page, case_files.sairagul)
    page.screenshot(path=screenshot_dir / "directory-search-desktop.png", full_page=True)

    # Open the person.
    person_link(page, case_files.kaisha).click()
    page.wait_for_url(re.compile(rf"/people/{case_files.kaisha.ref}/"))
    expect(page.locator("h1")).to_contain_text("Kaisha Akan")
    requests_made.assert_only_to_the_server()


def test_it_shows_the_entries_in_order_with_their_sources(
    page, live_server, case_files, requests_made
):
    kaisha, records = case_files.kaisha, case_files.records
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{kaisha.get_absolute_url()}")

    shown = page.locator("ol.timeline li.entry").evaluate_all("items => items.map(li => li.id)")
    expected = [
        f"entry-{entry.anchor}" for entry in build_timeline(kaisha, AnonymousUser()).entries
    ]
    assert shown == expected
    # Chronological, by what the sources say (the proceeding shares its date with the hearing).
    order = ["crossing", "detention", "event", "hearing", "ruling", "applied", "refugee"]
    kinds = {"applied": "status", "refugee": "status"}
    anchors = [f"entry-{kinds.get(key, key)}-{records[key].pk}" for key in order]
    assert [anchor for anchor in shown if anchor in anchors] == anchors

    # Each source once, numbered in order of first citation, with its title.
    sources = page.locator("ol.sources li")
    expect(sources).to_have_count(3)
    for number in range(1, 4):
        expect(page.locator(f"ol.sources li#source-{number}")).to_be_attached()
    titles = [source.title for source in case_files.sources]
    for number, title in enumerate(titles, start=1):
        expect(page.locator(f"#source-{number}")).to_contain_text(title)

    # The ruling cites the court's verdict and the article; a marker jumps to its source.
    ruling = page.locator(f"#entry-ruling-{records['ruling'].pk}")
    markers = ruling.locator('a[href^="#source-"]')
    expect(markers).to_have_count(2)
    targets = markers.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(targets) == ["#source-1", "#source-2"]
    court = page.locator("ol.sources li", has_text="Zharkent court verdict")
    target = f"#{court.get_attribute('id')}"
    assert target in targets
    click_where_drawn(page, ruling.locator(f'a[href="{target}"]'))
    expect(court).to_be_in_viewport()
    assert page.url.endswith(target)

    # The confidential co-defendant is never named, nor linked.
    assert case_files.hidden.name not in page.content()
    assert case_files.hidden.ref not in page.content()
    requests_made.assert_only_to_the_server()


def test_it_filters_on_a_phone(page, live_server, case_files, requests_made, screenshot_dir):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/people/")
    choose_status(page, REFUGEE)
    expect(person_link(page, case_files.kaisha)).to_be_visible()
    assert not shows(page, case_files.murager)
    page.screenshot(path=screenshot_dir / "directory-filtered-phone.png", full_page=True)
    assert fits_the_width(page)
    requests_made.assert_only_to_the_server()


def test_it_fits_a_phone_and_a_desktop(
    page, live_server, case_files, requests_made, screenshot_dir
):
    too_wide = []
    for width, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
        page.set_viewport_size(viewport)
        for name, path in [
            ("directory", "/people/"),
            ("person", case_files.kaisha.get_absolute_url()),
        ]:
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("h1")).to_be_visible()
            page.screenshot(path=screenshot_dir / f"{name}-{width}.png", full_page=True)
            if not fits_the_width(page):
                too_wide.append(f"{name} at {width} width")
    assert not too_wide, f"pages that scroll sideways: {too_wide}"
    requests_made.assert_only_to_the_server()


@pytest.mark.django_db(transaction=False)
def test_it_notices_a_request_to_a_third_party(page):
    # The request log itself must be able to fail. Nothing answers at example.invalid.
    log = RequestLog("http://localhost:8000")
    page.on("request", log.record)
    page.set_content('<img src="http://example.invalid/pixel.png" alt="">')
    page.wait_for_load_state("load")
    assert log.third_party() == ["http://example.invalid/pixel.png"]

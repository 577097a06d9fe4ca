"""A lawyer keeps a case current from the browser: signs in, records a hearing and a status
decision known to the month, finds both on the timeline and the deadlines on the home page;
a colleague's save in a second browser wins over a stale form, and nothing typed is lost."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Hearing, StatusDecision
from people.models import Person
from tests.factories import make_authority, make_person, make_proceeding, make_status

from .conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

STALE = "Someone else saved this record after you opened the form"


@pytest.fixture
def person(lawyer, other_lawyer):
    person = make_person(
        name="Kaisha Akan", visibility=Person.Visibility.INTERNAL, lawyers=[lawyer, other_lawyer]
    )
    make_proceeding(persons=[person], authority=make_authority(name="Zharkent district court"))
    return person


def sign_in_with_password(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('login')}")
    page.locator('main input[name="username"]').fill(username)
    page.locator('main input[name="password"]').fill("test-password")
    page.locator('main button[type="submit"]').click()
    page.wait_for_url(f"{live_server.url}/")


def fill_date(form, name, year, month="", day=""):
    form.locator(f'input[name="{name}_year"]').fill(str(year))
    form.locator(f'select[name="{name}_month"]').select_option(str(month))
    form.locator(f'input[name="{name}_day"]').fill(str(day))


def save(page, kind):
    page.locator("form.record-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"#entry-{kind}-\d+$"))
    return int(page.url.rsplit("-", 1)[1])


def test_a_lawyer_records_a_hearing_and_a_status_decision(
    page, live_server, person, requests_made, screenshot_dir
):
    today = datetime.date.today()
    hearing_day = today + datetime.timedelta(days=7)
    decided = today.replace(day=1)  # known only to the month
    expires = (today + datetime.timedelta(days=45)).replace(day=1)
    page.set_viewport_size(DESKTOP)
    sign_in_with_password(page, live_server, "lawyer")

    page.goto(f"{live_server.url}{reverse('edit:hearing-add', kwargs={'ref': person.ref})}")
    form = page.locator("form.record-form")
    form.locator('select[name="proceeding"]').select_option(index=1)
    fill_date(form, "date", hearing_day.year, hearing_day.month, hearing_day.day)
    form.locator('input[name="title"]').fill("appeal hearing")
    hearing_pk = save(page, "hearing")
    expect(page.locator(".messages")).to_contain_text("Hearing added.")
    expect(page.locator(f"#entry-hearing-{hearing_pk}")).to_contain_text("appeal hearing")

    page.goto(f"{live_server.url}{reverse('edit:status-add', kwargs={'ref': person.ref})}")
    form = page.locator("form.record-form")
    form.locator('select[name="status"]').select_option("refugee")
    form.locator('select[name="outcome"]').select_option("granted")
    fill_date(form, "decided", decided.year, decided.month)
    fill_date(form, "valid_until", expires.year, expires.month)
    page.screenshot(path=screenshot_dir / "status-form-desktop.png", full_page=True)
    status_pk = save(page, "status")
    expect(page.locator(".messages")).to_contain_text("Status decision added.")
    entry = page.locator(f"#entry-status-{status_pk}")
    expect(entry).to_contain_text(decided.strftime("%B %Y"))
    expect(entry).not_to_contain_text(f"1 {decided.strftime('%B %Y')}")
    status = StatusDecision.objects.get(pk=status_pk)
    assert (status.decided_precision, status.valid_until_precision) == ("month", "month")
    assert Hearing.objects.get(pk=hearing_pk).date == hearing_day

    # Both deadlines wait on the lawyer's home page, each linking to its entry.
    page.goto(f"{live_server.url}/")
    deadlines = page.locator(".deadlines")
    expect(deadlines.locator(f'a[href$="#entry-status-{status_pk}"]')).to_be_visible()
    expect(deadlines.locator(f'a[href$="#entry-hearing-{hearing_pk}"]')).to_be_visible()
    requests_made.assert_only_to_the_server()


def test_a_stale_edit_from_a_second_browser_is_refused_with_the_message(
    browser, page, live_server, person, requests_made, screenshot_dir
):
    status = make_status(person, note="")
    edit = reverse("edit:status-edit", kwargs={"ref": person.ref, "pk": status.pk})
    url = f"{live_server.url}{edit}"
    page.set_viewport_size(DESKTOP)
    sign_in_with_password(page, live_server, "lawyer")
    page.goto(url)

    colleague_context = browser.new_context(viewport=DESKTOP)
    try:
        colleague = colleague_context.new_page()
        sign_in_with_password(colleague, live_server, "other_lawyer")
        colleague.goto(url)
        colleague.locator('textarea[name="note"]').fill("Renewal applied for")
        save(colleague, "status")
    finally:
        colleague_context.close()

    page.locator('textarea[name="note"]').fill("Card collected")
    page.locator("form.record-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text(STALE)
    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text("Renewal applied for")
    expect(conflict).to_contain_text("Card collected")
    expect(page.locator('textarea[name="note"]')).to_have_value("Card collected")
    page.screenshot(path=screenshot_dir / "stale-edit-desktop.png", full_page=True)
    status.refresh_from_db()
    assert status.note == "Renewal applied for"

    # Having compared, the lawyer saves again on purpose: now the newer version is theirs.
    save(page, "status")
    status.refresh_from_db()
    assert status.note == "Card collected"
    requests_made.assert_only_to_the_server()

"""The Content-Security-Policy in a real Chromium: every page works under it and reports no
violation, the admin's JavaScript widgets still work, and what the policy exists for holds —
markup that slipped past escaping runs no script, and no other site can frame a page.
"""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Authority
from people.models import Person
from tests.factories import make_person
from tests.pages import admin_urls, make_case_files, site_urls

from .conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Listens from before any script of the page runs; page.evaluate reads what it heard.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}`
  );
});
"""
# What Chromium writes to the console when a policy blocks something or cannot be read.
POLICY_MESSAGE = re.compile(
    r"Content.Security.Policy|Permissions.Policy|Refused to|Unrecognized feature", re.I
)
# Downloads are not pages: the browser saves them instead of showing them.
DOWNLOAD = re.compile(r"\.(csv|xlsx)$|/export/persons\.json$")


class Watch:
    """Console messages, uncaught script errors and policy violations of one browser page."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.errors = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: self.console.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def violations(self):
        return self.page.evaluate("window.__violations || []")

    def assert_clean(self, where):
        policy_messages = [text for text in self.console if POLICY_MESSAGE.search(text)]
        assert not policy_messages, f"{where}: {policy_messages}"
        assert not self.errors, f"{where}: script errors {self.errors}"
        assert not self.violations(), f"{where}: {self.violations()}"


@pytest.fixture
def watch(page):
    page.set_viewport_size(DESKTOP)
    return Watch(page)


@pytest.fixture
def person(lawyer):
    return make_case_files(lawyer)


def open_page(page, watch, url):
    response = page.goto(url)  # returns after the load event: deferred scripts have run
    watch.assert_clean(url)
    return response


# Every page ----------------------------------------------------------------------------------


def test_every_page_works_under_the_policy_for_an_admin(
    page, live_server, sign_in, admin_user, person, watch, requests_made
):
    sign_in(admin_user)
    urls = [url for url in site_urls(person) + admin_urls(admin_user) if not DOWNLOAD.search(url)]
    for url in urls:
        response = open_page(page, watch, f"{live_server.url}{url}")
        assert response.status == 200, url
        assert response.headers["content-security-policy"]
    assert len(urls) > 100


def test_the_public_pages_and_sign_in_work_under_the_policy(
    page, live_server, lawyer, watch, requests_made
):
    public = make_person(name="Sairagul Sauytbay", visibility=Person.Visibility.PUBLIC)
    make_case_files(lawyer)
    for url in [
        reverse("account:home"),
        reverse("cases:directory"),
        reverse("cases:directory") + "?q=Sairagul",
        public.get_absolute_url(),
        reverse("cases:person-json", args=[public.ref]),
        reverse("login"),
        reverse("admin:login"),
        "/no/such/page/",
    ]:
        open_page(page, watch, f"{live_server.url}{url}")
    # Signing in with the form posts to this site: form-action 'self' lets it through.
    page.goto(f"{live_server.url}{reverse('login')}")
    page.locator('main input[name="username"]').fill("lawyer")
    page.locator('main input[name="password"]').fill("test-password")
    page.locator('main button[type="submit"]').click()
    page.wait_for_url(f"{live_server.url}/")
    watch.assert_clean("signing in")


# The admin's JavaScript ----------------------------------------------------------------------


def test_the_admin_autocomplete_finds_and_picks_a_person(
    page, live_server, sign_in, admin_user, person, watch
):
    sign_in(admin_user)
    open_page(page, watch, f"{live_server.url}{reverse('admin:people_namevariant_add')}")
    page.locator("#id_person + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill("Kaisha")
    option = page.locator(".select2-results__option", has_text="Kaisha Akan")
    option.click()
    expect(page.locator("#id_person")).to_have_value(str(person.pk))
    watch.assert_clean("autocomplete")


def test_the_admin_adds_another_inline_row(page, live_server, sign_in, admin_user, watch):
    sign_in(admin_user)
    open_page(page, watch, f"{live_server.url}{reverse('admin:people_person_add')}")
    rows = page.locator(".inline-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator(".inline-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    watch.assert_clean("add another inline")


def test_the_admin_date_shortcuts_and_calendar_fill_a_date(
    page, live_server, sign_in, admin_user, person, watch
):
    sign_in(admin_user)
    open_page(page, watch, f"{live_server.url}{reverse('admin:cases_bordercrossing_add')}")
    date = page.locator("input#id_date")
    page.locator("#id_date ~ .datetimeshortcuts a", has_text="Today").click()
    expect(date).to_have_value(re.compile(str(datetime.date.today().year)))
    date.fill("")
    page.locator("#id_date ~ .datetimeshortcuts a:has(.date-icon)").click()
    calendar = page.locator(".calendarbox:visible")
    expect(calendar).to_have_count(1)
    calendar.locator("td a", has_text=re.compile(r"^1$")).first.click()
    expect(date).to_have_value(re.compile(r"\d"))
    watch.assert_clean("date shortcuts")


def test_the_admin_opens_a_collapsed_fieldset_and_builds_the_lawyer_chooser(
    page, live_server, sign_in, admin_user, person, watch
):
    sign_in(admin_user)
    url = reverse("admin:people_person_change", args=[person.pk])
    open_page(page, watch, f"{live_server.url}{url}")
    collapsed = page.locator("fieldset.collapse details, details:has(fieldset.collapse)").first
    expect(collapsed).not_to_have_attribute("open", "")
    collapsed.locator("summary").click()
    expect(collapsed).to_have_attribute("open", "")
    # filter_horizontal: SelectFilter2.js turns the select into two lists with a filter.
    expect(page.locator("#id_lawyers_from")).to_be_visible()
    expect(page.locator("#id_lawyers_input")).to_be_visible()
    watch.assert_clean("collapse and filter_horizontal")


def test_the_admin_adds_a_related_authority_in_a_popup(
    page, live_server, sign_in, admin_user, person, watch
):
    sign_in(admin_user)
    open_page(page, watch, f"{live_server.url}{reverse('admin:cases_detention_add')}")
    with page.expect_popup() as opened:
        page.locator("#add_id_authority").click()
    popup = opened.value
    popup_watch = Watch(popup)
    popup.wait_for_load_state()
    popup.locator("#id_name").fill("Zharkent district court")
    popup.locator("#id_kind").select_option(index=1)
    popup.locator("#id_country").fill("Kazakhstan")
    popup.locator("input[name=_save]").click()
    # The popup's response page hands the new authority to this form and closes itself.
    popup.wait_for_event("close")
    authority = Authority.objects.get(name="Zharkent district court")
    expect(page.locator("#id_authority")).to_have_value(str(authority.pk))
    # The popup is closed: what it logged was kept, but it can no longer be asked.
    assert not [text for text in popup_watch.console if POLICY_MESSAGE.search(text)]
    assert not popup_watch.errors
    watch.assert_clean("add another popup")


# What the policy is for ----------------------------------------------------------------------

INJECT = """
() => new Promise((resolve) => {
  // As if a name typed as markup had reached the page unescaped.
  const main = document.querySelector("main");
  main.insertAdjacentHTML("beforeend", '<img src="/no-such.png" onerror="window.__ran = 1">');
  const script = document.createElement("script");
  script.textContent = "window.__ran = 2";
  main.append(script);
  main.insertAdjacentHTML("beforeend", '<a id="js-link" href="javascript:window.__ran = 3">x</a>');
  document.getElementById("js-link").click();
  setTimeout(() => resolve(window.__ran === undefined), 500);
})
"""


def test_injected_markup_runs_no_script(page, live_server, watch):
    person = make_person(name="Kaisha Akan", visibility=Person.Visibility.PUBLIC)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    assert page.evaluate(INJECT) is True, "injected script ran"
    blocked = " ".join(watch.violations())
    assert "script-src-attr" in blocked  # the onerror handler
    assert "script-src-elem" in blocked  # the inline <script>


def test_no_other_site_can_frame_a_page(page, live_server, watch):
    person = make_person(name="Kaisha Akan", visibility=Person.Visibility.PUBLIC)
    page.set_content(f'<iframe src="{live_server.url}{person.get_absolute_url()}"></iframe>')
    page.wait_for_timeout(1000)
    frame = page.frames[1]
    assert "Kaisha Akan" not in frame.content()
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in watch.console)


def test_the_page_may_use_no_camera_microphone_or_location(page, live_server, watch):
    person = make_person(name="Kaisha Akan", visibility=Person.Visibility.PUBLIC)
    open_page(page, watch, f"{live_server.url}{person.get_absolute_url()}")
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        allowed = page.evaluate(f"document.featurePolicy.allowsFeature('{feature}')")
        assert allowed is False, feature

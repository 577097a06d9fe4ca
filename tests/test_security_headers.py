"""Security headers on every page: a strict Content-Security-Policy, a Permissions-Policy that
refuses every powerful feature, and no-store on everything a signed-in user is sent.

The walk covers every page of the application and of the admin (tests/pages.py) as an admin,
an assigned lawyer and an anonymous reader. The HTML of each page is read for what the policy
would block in a browser: inline script, event-handler attributes, javascript: links, and
inline styles other than the hashed one. tests/browser/test_csp.py proves the same in
Chromium.
"""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from people.models import Person
from people.roles import RESEARCHERS
from tests.factories import make_person, make_user
from tests.pages import admin_urls, make_case_files, site_urls

pytestmark = pytest.mark.django_db

# Data, not code: a browser does not run these, and the policy does not govern them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def sha256(text):
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


class InlineCode(HTMLParser):
    """What a page carries inline: scripts, event handlers, javascript: URLs and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.js_urls = [], [], []
        self.style_elements, self.style_attributes = [], []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.js_urls.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value is not None:
                self.style_attributes.append(value)
        if tag == "script" and "src" not in attrs and attrs.get("type") not in DATA_SCRIPT_TYPES:
            self._open = ("script", [])
        elif tag == "style":
            self._open = ("style", [])

    def handle_data(self, data):
        if self._open:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            text = "".join(self._open[1])
            (self.scripts if tag == "script" else self.style_elements).append(text)
            self._open = None


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def person(lawyer):
    return make_case_files(lawyer)


@pytest.fixture
def staff_reader(db):
    """A researcher let into the admin: every admin page is read-only, lists have no actions."""
    return make_user("staff_reader", role=RESEARCHERS, is_staff=True)


@pytest.fixture
def public_person():
    return make_person(name="Sairagul Sauytbay", visibility=Person.Visibility.PUBLIC)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def every_page(client, urls):
    for url in urls:
        response = client.get(url)
        yield url, response


def assert_not_stored(response, url):
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control, f"{url} may be stored: {cache_control!r}"
    assert "private" in cache_control
    assert "public" not in cache_control
    assert "Cookie" in response.headers.get("Vary", "")


# The policy ----------------------------------------------------------------------------------


def test_it_allows_scripts_from_this_site_only_and_nothing_inline(client, public_person):
    directives = policy(client.get(public_person.get_absolute_url()))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    header = client.get(public_person.get_absolute_url()).headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header


def test_it_names_no_other_host_in_any_directive(client, public_person):
    for directive, sources in policy(client.get(public_person.get_absolute_url())).items():
        for source in sources:
            keyword = source.startswith("'") and source.endswith("'")
            assert keyword or source == "data:", f"{directive} allows {source}"


def test_it_allows_inline_styles_only_by_their_hash(client, public_person):
    style_src = policy(client.get(public_person.get_absolute_url()))["style-src"]
    hashes = [source for source in style_src if source.startswith("'sha256-")]
    assert style_src == ["'self'", "'unsafe-hashes'", *hashes]
    assert sorted(hashes) == sorted(sha256(s) for s in settings.THIRD_PARTY_INLINE_STYLES)


def test_it_refuses_every_powerful_browser_feature(client, public_person):
    header = client.get(public_person.get_absolute_url()).headers["Permissions-Policy"]
    features = dict(item.split("=") for item in header.split(", "))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]:
        assert features[feature] == "()"
    assert set(features.values()) == {"()"}


def test_it_forbids_framing_twice_for_old_browsers(client, public_person):
    response = client.get(public_person.get_absolute_url())
    assert response.headers["X-Frame-Options"] == "DENY"
    assert policy(response)["frame-ancestors"] == ["'none'"]


# Every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("user_fixture", ["admin_user", "lawyer", "staff_reader", "researcher"])
def test_every_page_carries_the_policies_and_nothing_they_would_block(
    request, user_fixture, person
):
    """And nothing a signed-in user is sent may be stored (see Cache-Control below)."""
    client = signed_in(request.getfixturevalue(user_fixture))
    expected = None
    walked = 0
    for url, response in every_page(client, site_urls(person) + admin_urls()):
        assert_not_stored(response, url)
        header = response.headers.get("Content-Security-Policy")
        assert header, f"{url} ({response.status_code}) has no Content-Security-Policy"
        expected = expected or header
        assert header == expected, f"{url} has a different policy"
        assert response.headers.get("Permissions-Policy"), f"{url} has no Permissions-Policy"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        walked += 1
        found = inline_code(response)
        assert not [s for s in found.scripts if s.strip()], f"inline <script> on {url}"
        assert not found.handlers, f"event handlers on {url}: {found.handlers}"
        assert not found.js_urls, f"javascript: URLs on {url}: {found.js_urls}"
        allowed = set(policy(response)["style-src"])
        for style in found.style_elements + found.style_attributes:
            assert sha256(style) in allowed, f"inline style {style!r} on {url} would be blocked"
    assert walked > 20


def test_a_history_page_writes_no_inline_style_but_the_hashed_one(client, admin_user, person):
    client.force_login(admin_user)
    response = client.get(reverse("admin:people_person_history", args=[person.pk]))
    assert set(inline_code(response).style_attributes) <= set(settings.THIRD_PARTY_INLINE_STYLES)


TAG = re.compile(r"<[a-zA-Z][^>]*>")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def template_files():
    """Every template the project can render: ours and those of every installed app."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [Path(config.path) / "templates" for config in apps.get_app_configs()]
    return [path for folder in folders if folder.is_dir() for path in folder.rglob("*.html")]


def test_no_template_of_ours_or_of_a_library_carries_inline_script():
    # The walk above renders the pages there are today; this also catches a template that a
    # new page or library brings, before anyone has written a test that opens it.
    offenders = []
    for path in template_files():
        source = path.read_text(errors="replace")
        for attributes in SCRIPT_TAG.findall(source):
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{path}: <script{attributes}>")
        offenders += [f"{path}: {tag}" for tag in TAG.findall(source) if HANDLER.search(tag)]
        offenders += [f"{path}: javascript: URL" for _ in re.finditer("javascript:", source)]
    assert template_files()
    assert not offenders, offenders


def test_our_templates_carry_no_inline_style():
    ours = Path(settings.TEMPLATES[0]["DIRS"][0])
    for path in ours.rglob("*.html"):
        source = path.read_text()
        assert "<style" not in source, path
        assert not re.search(r"\sstyle\s*=", source), path


# Cache-Control -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["export-persons-csv", "export-entries-csv", "export-xlsx", "export-json"]
)
def test_every_export_is_sent_not_to_be_stored(client, admin_user, person, url_name):
    client.force_login(admin_user)
    response = client.get(reverse(f"reports:{url_name}"))
    assert response.status_code == 200
    assert_not_stored(response, url_name)


def test_a_non_public_persons_page_and_data_are_never_stored(client, researcher, person):
    client.force_login(researcher)
    for url in [person.get_absolute_url(), reverse("cases:person-json", args=[person.ref])]:
        response = client.get(url)
        assert response.status_code == 200
        assert_not_stored(response, url)


def test_a_redirect_made_before_sign_in_is_known_is_not_stored(client, lawyer, person):
    # CommonMiddleware adds the slash before the user is read: the session cookie decides.
    client.force_login(lawyer)
    url = person.get_absolute_url().rstrip("/")
    response = client.get(url)
    assert response.status_code == 301
    assert_not_stored(response, url)


def test_public_pages_stay_cacheable_for_anonymous_readers(client, public_person):
    for url in [
        public_person.get_absolute_url(),
        reverse("cases:person-json", args=[public_person.ref]),
        reverse("cases:directory"),
        reverse("cases:directory-json"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
        # A shared cache must not hand this copy to a signed-in reader, nor theirs to us.
        assert "Cookie" in response.headers["Vary"]

"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a request to anyone but the live server fails the test
(DESIGN.md: no page makes a request to a third party).
"""

import datetime
import os
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.test import Client

from cases.models import Ruling, StatusDecision
from casetracker.dates import Precision
from people.models import Person
from people.roles import ensure_roles
from tests.factories import (
    cite,
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_source,
    make_status,
)

# Playwright's sync API runs an asyncio loop in the test thread, which makes Django refuse
# ORM calls from that thread (SynchronousOnlyOperation). Tests only: never set in settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about"}


def _flushes_the_database(item):
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    )
    return bool(transactional or {"live_server", "transactional_db"} & set(item.fixturenames))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that flush the database after all the others, as Django does.

    pytest-django orders them last, but pytest then regroups the tests that share
    pytest-playwright's session-scoped ``browser_name`` parameter, which every test with a
    fixture or parameter named ``page`` gets: that pulls the browser tests in among ordinary
    database tests, and their flush deletes the groups the data migration made.
    """
    items.sort(key=_flushes_the_database)  # stable: the order is otherwise kept


@pytest.fixture(autouse=True)
def _roles(request):
    """The role groups, which a flush between live-server tests deletes.

    ``serialized_rollback`` cannot bring them back here: once Playwright's event loop runs
    in the test thread, ``django.db.connections`` hands out a new connection object (it is
    context-local) without the serialized copy that pytest-django made at the start.
    """
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("db")
        ensure_roles(Group, Permission)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage of production needs collectstatic first; the live server serves
    # the files from the finders either way.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class RequestLog:
    """Every URL the browser asked for, to prove none went to a third party."""

    def __init__(self, server_url):
        self.server = urlsplit(server_url)
        self.urls = []

    def record(self, request):
        self.urls.append(request.url)

    def third_party(self):
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in LOCAL_SCHEMES
            and (urlsplit(url).scheme, urlsplit(url).netloc)
            != (self.server.scheme, self.server.netloc)
        ]

    def assert_only_to_the_server(self):
        assert self.urls, "the browser made no request at all"
        outside = self.third_party()
        assert not outside, f"requests to a third party: {outside}"


@pytest.fixture
def requests_made(page, live_server):
    """Records every request of the page; fails the test if one left for a third party."""
    log = RequestLog(live_server.url)
    page.on("request", log.record)
    yield log
    assert not log.third_party(), f"requests to a third party: {log.third_party()}"


@pytest.fixture
def sign_in(context, live_server):
    """sign_in(user): the browser context carries that user's session from now on."""

    def sign_in(user):
        if isinstance(user, AnonymousUser):
            return
        client = Client()
        client.force_login(user)
        name = django_settings.SESSION_COOKIE_NAME
        context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )

    return sign_in


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def case_files(lawyer):
    """Three public persons with sourced case records, and a confidential co-defendant.

    Kaisha Akan: crossing, pre-trial detention, a press conference, a criminal proceeding
    with a hearing and her ruling, then asylum seeker and refugee status. Her refugee status
    is the current one of no one else.
    """
    today = datetime.date.today()
    rferl = make_source(title="Kazakh woman who fled China tried for crossing", publisher="RFE/RL")
    court = make_source(
        title="Zharkent court verdict", publisher="Zharkent district court", url="", kind="other"
    )
    azattyq = make_source(title="Refugee status granted", publisher="Azattyq")
    zharkent = make_authority(name="Zharkent district court")

    kaisha = make_person(
        name="Kaisha Akan",
        variants=["Қайша Ақан", "Kaysha Akhan"],
        birth_year=1992,
        ethnicity="Kazakh",
        place_of_origin="Ili, Xinjiang",
        citizenship="China",
        lawyers=[lawyer],
    )
    murager = make_person(name="Murager Alimuly", variants=["Мұрагер Әлімұлы"])
    sairagul = make_person(name="Sairagul Sauytbay")
    hidden = make_person(name="Withheld Codefendant", visibility=Person.Visibility.CONFIDENTIAL)

    records = {}
    records["crossing"] = make_crossing(kaisha, date=datetime.date(2018, 5, 1))
    cite(records["crossing"], rferl, quote="She crossed the border in May 2018.")
    records["detention"] = make_detention(
        kaisha,
        start=datetime.date(2019, 10, 1),
        end=datetime.date(2020, 1, 7),
        end_precision=Precision.DAY,
    )
    cite(records["detention"], rferl)
    records["event"] = make_event(
        persons=[kaisha, murager],
        title="Press conference in Almaty",
        date=datetime.date(2019, 10, 14),
    )
    cite(records["event"], rferl)
    proceeding = make_proceeding(persons=[kaisha, murager, hidden], authority=zharkent)
    cite(proceeding, court)
    records["hearing"] = make_hearing(
        proceeding, date=datetime.date(2020, 1, 6), title="first session"
    )
    cite(records["hearing"], court)
    records["ruling"] = make_ruling(
        proceeding,
        kaisha,
        date=datetime.date(2020, 1, 7),
        sentence_kind=Ruling.SentenceKind.SUSPENDED,
        sentence_months=6,
        removal=Ruling.Removal.REFUSED,
    )
    cite(records["ruling"], court, quote="deportation refused")
    cite(records["ruling"], rferl)
    records["applied"] = make_status(
        kaisha,
        status=StatusDecision.Status.ASYLUM_SEEKER,
        outcome=StatusDecision.Outcome.APPLIED,
        decided=datetime.date(2020, 2, 1),
        decided_precision=Precision.MONTH,
        valid_from=None,
        valid_from_precision="",
        valid_until=None,
        valid_until_precision="",
    )
    # Refugee status that runs out in 41 days: signed-in readers get the amber countdown.
    records["refugee"] = make_status(
        kaisha,
        decided=datetime.date(2020, 10, 29),
        valid_until=today + datetime.timedelta(days=41),
    )
    cite(records["refugee"], azattyq, quote="granted refugee status")

    make_crossing(murager, date=datetime.date(2019, 3, 1))
    make_status(
        murager,
        status=StatusDecision.Status.ASYLUM_SEEKER,
        outcome=StatusDecision.Outcome.APPLIED,
        decided=datetime.date(2019, 6, 1),
        decided_precision=Precision.MONTH,
        valid_from=None,
        valid_from_precision="",
        valid_until=None,
        valid_until_precision="",
    )
    make_status(
        sairagul,
        status=StatusDecision.Status.THIRD_COUNTRY_ASYLUM,
        decided=datetime.date(2020, 6, 1),
        decided_precision=Precision.MONTH,
        valid_from=None,
        valid_from_precision="",
        valid_until=None,
        valid_until_precision="",
    )
    return SimpleNamespace(
        kaisha=kaisha,
        murager=murager,
        sairagul=sairagul,
        hidden=hidden,
        records=records,
        sources=[rferl, court, azattyq],
    )

"""A lawyer's home: their persons, their deadlines, and what others changed on their cases.

Whose cases: the persons assigned to the user. An admin also sees the persons no lawyer is
assigned to — nobody else would see their deadlines, and assigning a lawyer is theirs to
do — but not every person: an admin who also represents clients must find their own
deadlines first, and a list of every deadline in the organisation is a report, not a to-do
list.

``build_home`` makes a fixed number of queries whatever the size of the caseload (see
tests/test_home.py).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from casetracker.dates import ApproximateDate, Precision
from people.models import Person, is_admin

from .history import recent_changes
from .models import Hearing, Proceeding, Ruling, StatusDecision
from .models.statuses import EXPIRY_WARNING_DAYS, annotate_current_status

HEARING_DAYS = 14
RECENT_CHANGE_DAYS = 30
RECENT_CHANGE_ROWS = 15


def has_caseload(user):
    """Whether the user works on cases (lawyers and admins), and so gets the lawyer's home."""
    return user.is_authenticated and user.is_active and user.has_perm("people.change_person")


def caseload(user):
    """The persons whose deadlines and changes the user's home lists."""
    assigned = Person.lawyers.through.objects.filter(person=OuterRef("pk"))
    mine = Q(Exists(assigned.filter(user=user)))
    if is_admin(user):
        mine |= ~Q(Exists(assigned))
    return Person.objects.managed_by(user).filter(mine)


def _url(name, **kwargs):
    """The URL of a write view if it is routed: the entry's anchor is the fallback."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def entry_url(person, kind, pk):
    return f"{person.get_absolute_url()}#entry-{kind}-{pk}"


@dataclass
class StatusDeadline:
    status: StatusDecision
    person: Person
    days_left: int
    state: str  # "expiring" or "expired"

    @property
    def url(self):
        return entry_url(self.person, "status", self.status.pk)

    @property
    def renew_url(self):
        return _url("edit:status-add", ref=self.person.ref)

    @property
    def days_ago(self):
        return -self.days_left


@dataclass
class HearingDeadline:
    hearing: Hearing
    persons: list
    days_left: int
    # A hearing of a proceeding shared with persons the user does not represent is not
    # theirs to edit (SharedRecordQuerySet.managed_by).
    may_edit: bool = True

    @property
    def person(self):
        return self.persons[0]

    @property
    def url(self):
        return entry_url(self.person, "hearing", self.hearing.pk)

    @property
    def edit_url(self):
        if not self.may_edit:
            return ""
        return _url("edit:hearing-edit", ref=self.person.ref, pk=self.hearing.pk)


@dataclass
class AwaitingRuling:
    proceeding: Proceeding
    person: Person
    last_hearing: ApproximateDate

    @property
    def url(self):
        return entry_url(self.person, "proceeding", self.proceeding.pk)

    @property
    def ruling_url(self):
        url = _url("edit:ruling-add", ref=self.person.ref)
        return f"{url}?proceeding={self.proceeding.pk}" if url else ""


@dataclass
class Home:
    persons: list
    statuses: list
    hearings: list
    awaiting_ruling: list
    changes: list
    shows_unassigned: bool

    @property
    def has_deadlines(self):
        return bool(self.statuses or self.hearings)


def expiring_statuses(persons, today):
    """Current statuses of ``persons`` that expire within EXPIRY_WARNING_DAYS or have expired.

    Only a person's current status counts: once a renewal is recorded, the old one is done.
    """
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    current = annotate_current_status(persons).values("current_status_id")
    candidates = (
        StatusDecision.objects.filter(pk__in=current)
        .filter(
            Q(valid_until__lte=horizon)
            | Q(valid_until__isnull=True, valid_until_not_later_than__lte=horizon)
        )
        .select_related("person")
    )
    deadlines = []
    for status in candidates:
        state = status.expiry_state(today)
        if state in ("expiring", "expired"):
            deadlines.append(StatusDeadline(status, status.person, status.days_left(today), state))
    deadlines.sort(key=lambda deadline: (deadline.days_left, deadline.person.name))
    return deadlines


def upcoming_hearings(persons, today, days=HEARING_DAYS, *, user=None):
    """Hearings of the persons' proceedings that may fall within the next ``days`` days.

    A hearing known to the day or the month counts if it can fall in the window; one known
    only to the year is not a deadline yet.
    """
    horizon = today + datetime.timedelta(days=days)
    proceedings = Proceeding.persons.through.objects.filter(person__in=persons).values(
        "proceeding_id"
    )
    hearings = (
        Hearing.objects.filter(
            proceeding__in=proceedings,
            date_precision__in=[Precision.DAY, Precision.MONTH],
            date__lte=horizon,
            date__gte=today - datetime.timedelta(days=31),
        )
        .select_related("proceeding__authority")
        .annotate(
            may_edit=Exists(
                Proceeding.objects.managed_by(user).filter(pk=OuterRef("proceeding_id"))
            )
        )
        .prefetch_related(
            Prefetch(
                "proceeding__persons",
                queryset=Person.objects.filter(pk__in=persons.values("pk")),
                to_attr="caseload_persons",
            )
        )
    )
    deadlines = []
    for hearing in hearings:
        if hearing.approx_date.latest < today:
            continue
        deadlines.append(
            HearingDeadline(
                hearing,
                hearing.proceeding.caseload_persons,
                (hearing.date - today).days,
                may_edit=hearing.may_edit,
            )
        )
    deadlines.sort(key=lambda deadline: (deadline.hearing.date, deadline.hearing.pk))
    return deadlines


def awaiting_ruling(persons):
    """(proceeding, person) pairs of the persons with no ruling for that person yet."""
    ruled = Ruling.objects.filter(
        proceeding=OuterRef("proceeding_id"), person=OuterRef("person_id")
    )
    last_hearing = Hearing.objects.filter(proceeding=OuterRef("proceeding_id")).order_by(
        "-date", "-pk"
    )
    pairs = (
        Proceeding.persons.through.objects.filter(person__in=persons)
        .exclude(Exists(ruled))
        .annotate(
            last_hearing=Subquery(last_hearing.values("date")[:1]),
            last_hearing_precision=Subquery(last_hearing.values("date_precision")[:1]),
        )
        .select_related("proceeding__authority", "person")
        .order_by("person__name", "person_id", "proceeding_id")
    )
    return [
        AwaitingRuling(
            pair.proceeding,
            pair.person,
            ApproximateDate(pair.last_hearing, pair.last_hearing_precision or ""),
        )
        for pair in pairs
    ]


def build_home(user, *, now=None):
    """Everything the lawyer's home shows, for ``user``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    persons = caseload(user)
    assigned = Person.lawyers.through.objects.filter(person=OuterRef("pk"))
    listed = list(
        annotate_current_status(persons)
        .annotate(has_lawyer=Exists(assigned))
        .order_by("name", "ref")
    )
    for person in listed:
        if person.current_status:
            person.current_status_label = StatusDecision.Status(person.current_status).label
    changes = recent_changes(
        persons,
        user,
        since=now - datetime.timedelta(days=RECENT_CHANGE_DAYS),
        limit=RECENT_CHANGE_ROWS,
    )
    by_pk = {person.pk: person for person in listed}
    for change in changes:
        change.person = by_pk.get(change.person_id)
    return Home(
        persons=listed,
        statuses=expiring_statuses(persons, today),
        hearings=upcoming_hearings(persons, today, user=user),
        awaiting_ruling=awaiting_ruling(persons),
        changes=[change for change in changes if change.person is not None],
        shows_unassigned=is_admin(user),
    )

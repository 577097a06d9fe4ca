import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import call_command

from cases.models import (
    Authority,
    BorderCrossing,
    Detention,
    Event,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)
from cases.models.base import CaseRecord
from casetracker.dates import ApproximateDate, Precision
from people.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, NameVariant, Person
from people.roles import ADMINS, LAWYERS, RECORD_MODELS, RESEARCHERS

pytestmark = pytest.mark.django_db

REAL_PERSONS = [
    "Qaisha Aqan",
    "Baghashar Malikuly",
    "Murager Alimuly",
    "Qaster Musakhanuly",
    "Sairagul Sauytbay",
    "Tilek Tabarikuly",
]
INTERNAL_EXAMPLE = "Example Person (fictional, internal)"
CONFIDENTIAL_EXAMPLE = "Example Person (fictional, confidential)"

RFERL_2019_10_29 = "Two ethnic Kazakhs from Xinjiang given asylum-seeker status"
RFERL_KAZ_2019_12 = "Court Rules That Ethnic Kazakh Will Not Be Deported To China"
FERGANA_2020_01 = "Xinjiang refugees sentenced to one year in jail in Kazakhstan"
RFERL_KAZ_2020_10 = "Two Ethnic Kazakhs From Xinjiang Obtain Rare Temporary Refugee Status"
RFERL_2020_10_30 = "Two more ethnic Kazakhs from Xinjiang obtain temporary refugee status"


def day(year, month, day):
    return ApproximateDate(datetime.date(year, month, day), Precision.DAY)


def month(year, month):
    return ApproximateDate(datetime.date(year, month, 1), Precision.MONTH)


def year(year):
    return ApproximateDate(datetime.date(year, 1, 1), Precision.YEAR)


def load(**options):
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def person(name):
    return Person.objects.get(name=name)


def cited_titles(record):
    return {citation.source.title for citation in record.citations.all()}


def cites(record, *title_starts):
    titles = cited_titles(record)
    return all(any(title.startswith(start) for title in titles) for start in title_starts)


def persons_of(record):
    if hasattr(record, "person"):
        return {record.person}
    if hasattr(record, "persons"):
        return set(record.persons.all())
    return set(record.proceeding.persons.all())


def case_records():
    for model in apps.get_models():
        if issubclass(model, CaseRecord):
            yield from model.objects.all()


@pytest.fixture
def demo(settings):
    settings.DEBUG = False
    load()


def test_it_changes_no_table_when_loaded_twice(settings):
    settings.DEBUG = True
    load()
    first = row_counts()

    output = load()

    assert row_counts() == first
    assert "nothing changed" in output
    assert first["people.Person"] == 8
    # One history row per person, and one per lawyer assigned to the demo lawyer.
    assert first["people.HistoricalPerson"] == 8 + 3
    assert first["cases.HistoricalCitation"] == first["cases.Citation"]
    assert first["auth.User"] == 3


def test_it_saves_again_only_a_record_whose_data_changed(demo):
    aqan = person("Qaisha Aqan")
    Person.objects.filter(pk=aqan.pk).update(public_summary="edited")
    history = aqan.history.count()

    output = load()

    aqan.refresh_from_db()
    assert aqan.public_summary.startswith("Ethnic Kazakh woman")
    assert aqan.history.count() == history + 1
    assert "Updated 1 existing records." in output


def test_it_rolls_everything_back_on_a_dry_run(settings):
    settings.DEBUG = True

    output = load(dry_run=True)

    assert "Dry run" in output
    assert "8 persons" in output
    assert not Person.objects.exists()
    assert not Source.objects.exists()
    assert not User.objects.exists()


def test_it_passes_the_validation_the_admin_applies(demo):
    for app_label, model_names in RECORD_MODELS.items():
        for model_name in model_names:
            for record in apps.get_model(app_label, model_name).objects.all():
                record.full_clean()


def test_it_records_the_five_articles_as_sources(demo):
    articles = Source.objects.filter(kind=Source.Kind.ARTICLE)

    assert articles.count() == 5
    assert all(source.url == "" for source in articles)
    by_title = {source.title.split(" (")[0]: source for source in articles}
    assert by_title[RFERL_2019_10_29 + " in Kazakhstan"].approx_published == day(2019, 10, 29)
    assert by_title[RFERL_2020_10_30 + " in Kazakhstan"].approx_published == day(2020, 10, 30)
    for title, published in [
        (RFERL_KAZ_2019_12, month(2019, 12)),
        (FERGANA_2020_01, month(2020, 1)),
        (RFERL_KAZ_2020_10 + " In Kazakhstan", month(2020, 10)),
    ]:
        source = by_title[title]
        assert source.approx_published == published
        assert "Not printed" in source.date_note
    fergana = by_title[FERGANA_2020_01]
    assert fergana.publisher == "Fergana"
    assert by_title[RFERL_KAZ_2019_12].publisher == "RFE/RL (Kazakh Service)"
    descriptive = articles.filter(title__contains="descriptive title")
    assert {source.publisher for source in descriptive} == {"RFE/RL"}
    assert descriptive.count() == 2


def test_it_records_qaisha_aqans_case(demo):
    aqan = person("Qaisha Aqan")
    assert (aqan.birth_year, aqan.birth_year_is_approximate, aqan.sex) == (1976, True, "female")

    crossing = aqan.crossings.get()
    assert crossing.approx_date == month(2018, 5)
    assert (crossing.from_country, crossing.to_country) == ("China", "Kazakhstan")
    assert crossing.method == BorderCrossing.Method.IRREGULAR
    assert cites(crossing, RFERL_KAZ_2019_12, RFERL_2020_10_30)

    trial = aqan.proceedings.get(kind=Proceeding.Kind.CRIMINAL)
    assert trial.authority.name == "Zharkent court"
    assert set(trial.participants.values_list("name", "role")) == {
        ("Elmira Asubaeva", Participant.Role.JUDGE),
        ("Arzygul Imyarova", Participant.Role.PROSECUTOR),
    }
    opening = trial.hearings.get(title="Trial opens")
    assert opening.approx_date == month(2019, 11)

    ruling = trial.rulings.get(person=aqan)
    assert ruling.approx_date == day(2019, 12, 23)
    assert ruling.outcome == Ruling.Outcome.CONVICTED
    assert (ruling.sentence_kind, ruling.sentence_months) == (Ruling.SentenceKind.SUSPENDED, 6)
    assert ruling.removal == Ruling.Removal.REFUSED
    assert cites(ruling, RFERL_KAZ_2019_12, RFERL_2020_10_30)

    status = aqan.statuses.get()
    assert (status.status, status.outcome) == ("refugee", "granted")
    assert status.approx_decided == day(2020, 10, 29)
    assert status.approx_valid_from == day(2020, 10, 29)
    assert status.approx_valid_until == day(2021, 10, 28)
    assert status.proceeding.kind == Proceeding.Kind.ASYLUM
    assert status.proceeding.participants.get().name == "Abdulla Baqbergen"


def test_it_records_baghashar_malikulys_case(demo):
    malikuly = person("Baghashar Malikuly")
    assert (malikuly.birth_year, malikuly.birth_year_is_approximate) == (1983, True)

    visit = malikuly.crossings.get(to_country="China")
    assert visit.approx_date == year(2015)
    entry = malikuly.crossings.get(to_country="Kazakhstan")
    assert entry.approx_date == year(2017)
    assert entry.method == BorderCrossing.Method.IRREGULAR
    confiscation = malikuly.events.get(title__contains="permanent-residence permit")
    assert confiscation.approx_date == year(2015)
    assert confiscation.authority.name == "Chinese authorities"
    investigation = malikuly.events.get(title__startswith="Under investigation")
    assert investigation.approx_date == year(2019)

    dropped = Ruling.objects.get(person=malikuly)
    assert dropped.outcome == Ruling.Outcome.CHARGES_DROPPED
    assert dropped.approx_date == month(2019, 12)

    status = malikuly.statuses.get()
    assert (status.status, status.outcome) == ("refugee", "granted")
    assert status.approx_decided == day(2020, 10, 28)
    assert status.approx_valid_until == day(2021, 10, 27)
    assert status.proceeding.participants.get().name == "Abdulla Baqbergen"


def test_it_records_how_alimuly_and_musakhanuly_came_and_asked_for_asylum(demo):
    alimuly, musakhanuly = person("Murager Alimuly"), person("Qaster Musakhanuly")
    assert (alimuly.birth_year, musakhanuly.birth_year) == (1994, 1989)

    for man in (alimuly, musakhanuly):
        crossing = man.crossings.get()
        assert crossing.approx_date == day(2019, 10, 1)
        assert crossing.method == BorderCrossing.Method.IRREGULAR
        assert cites(crossing, RFERL_2019_10_29)

        asylum_seeker = man.statuses.get(status=StatusDecision.Status.ASYLUM_SEEKER)
        assert asylum_seeker.outcome == StatusDecision.Outcome.GRANTED
        assert asylum_seeker.approx_decided == day(2019, 10, 29)
        assert asylum_seeker.authority.name == "Immigration police"
        assert asylum_seeker.proceeding.participants.get().name == "Bauyrzhan Azanov"

        pre_trial = man.detentions.get(kind=Detention.Kind.PRE_TRIAL)
        assert pre_trial.approx_start == month(2019, 10)

    press_conference = Event.objects.get(kind=Event.Kind.PRESS_CONFERENCE)
    assert set(press_conference.persons.all()) == {alimuly, musakhanuly}
    assert press_conference.approx_date == day(2019, 10, 14)
    assert press_conference.place == "Almaty"
    assert cites(press_conference, RFERL_2019_10_29, FERGANA_2020_01)

    statement = Event.objects.get(kind=Event.Kind.STATEMENT)
    assert "Darkhan Dilmanov" in statement.title
    assert statement.authority.name == "Kazakh Border Service"
    assert statement.approx_date == month(2019, 12)
    assert set(statement.persons.all()) == {alimuly, musakhanuly}


def test_it_tries_alimuly_and_musakhanuly_in_one_zaysan_proceeding(demo):
    alimuly, musakhanuly = person("Murager Alimuly"), person("Qaster Musakhanuly")

    trial = Proceeding.objects.get(authority__name="Zaysan court")

    assert trial.kind == Proceeding.Kind.CRIMINAL
    assert "Zaisan" in trial.authority.other_names
    assert set(trial.persons.all()) == {alimuly, musakhanuly}
    assert set(trial.participants.values_list("name", "role")) == {
        ("Erzhan Azimbayev", Participant.Role.PROSECUTOR),
        ("Lyazzat Akhatova", Participant.Role.DEFENCE),
    }
    assert trial.hearings.get(title="First session").approx_date == day(2020, 1, 6)
    assert trial.rulings.count() == 2
    for man in (alimuly, musakhanuly):
        ruling = trial.rulings.get(person=man)
        assert ruling.approx_date == month(2020, 1)
        assert ruling.outcome == Ruling.Outcome.CONVICTED
        assert (ruling.sentence_kind, ruling.sentence_months) == (Ruling.SentenceKind.PRISON, 12)
        assert ruling.removal == Ruling.Removal.REFUSED
        assert "counts as two days" in ruling.pre_trial_credit
        assert cites(ruling, FERGANA_2020_01, RFERL_KAZ_2020_10, RFERL_2020_10_30)


def test_it_records_the_release_and_refugee_status_of_alimuly_and_musakhanuly(demo):
    alimuly, musakhanuly = person("Murager Alimuly"), person("Qaster Musakhanuly")

    release = Event.objects.get(kind=Event.Kind.RELEASE)
    assert release.approx_date == month(2020, 5)
    assert set(release.persons.all()) == {alimuly, musakhanuly}
    assert cites(release, RFERL_KAZ_2020_10, RFERL_2020_10_30)

    for man in (alimuly, musakhanuly):
        sentence = man.detentions.get(kind=Detention.Kind.SENTENCE)
        assert (sentence.approx_start, sentence.approx_end) == (month(2020, 1), month(2020, 5))

        refugee = man.statuses.get(status=StatusDecision.Status.REFUGEE)
        assert refugee.outcome == StatusDecision.Outcome.GRANTED
        assert refugee.authority.name == "Aqmola region migration commission"
        assert refugee.approx_decided == month(2020, 10)
        assert refugee.approx_valid_until == month(2021, 10)
        assert "less than two weeks" in refugee.note
        assert cites(refugee, RFERL_KAZ_2020_10, RFERL_2020_10_30)
        assert refugee.proceeding.participants.get().name == "Abdulla Baqbergen"


def test_it_records_what_happened_to_them_in_xinjiang(demo):
    alimuly, musakhanuly = person("Murager Alimuly"), person("Qaster Musakhanuly")

    camp = musakhanuly.detentions.get(kind=Detention.Kind.CAMP)
    assert camp.start is None
    assert camp.start_precision == Precision.UNKNOWN
    assert camp.start_not_later_than is not None
    assert "five years" in camp.description
    # "several years" (2019) and "five years" (2020): both stay cited.
    assert cites(camp, RFERL_2019_10_29, RFERL_KAZ_2019_12, RFERL_KAZ_2020_10, RFERL_2020_10_30)

    told = musakhanuly.events.get(title__startswith="Told by Chinese authorities")
    assert told.approx_date == month(2019, 9)

    questioning = alimuly.detentions.get(kind=Detention.Kind.QUESTIONING)
    assert questioning.start_precision == Precision.UNKNOWN


def test_it_records_sauytbay_and_tabarikuly(demo):
    sauytbay = person("Sairagul Sauytbay")
    assert sauytbay.crossings.get().approx_date == month(2018, 4)
    extradition = sauytbay.proceedings.get()
    assert extradition.kind == Proceeding.Kind.EXTRADITION
    assert extradition.authority.town == "Almaty"
    refused = extradition.rulings.get()
    assert refused.approx_date == month(2018, 8)
    assert refused.removal == Ruling.Removal.REFUSED
    assert sauytbay.events.filter(title__contains="do not allow her to stay").exists()
    sweden = sauytbay.statuses.get()
    assert sweden.status == StatusDecision.Status.THIRD_COUNTRY_ASYLUM
    assert sweden.outcome == StatusDecision.Outcome.GRANTED
    assert sweden.decided_precision == Precision.UNKNOWN
    assert cites(sweden, RFERL_2019_10_29, RFERL_KAZ_2019_12)

    tabarikuly = person("Tilek Tabarikuly")
    trial = tabarikuly.proceedings.get()
    assert trial.authority.name == "Zharkent court"
    assert trial.charge == "illegal border crossing"
    ruling = trial.rulings.get()
    assert ruling.approx_date == month(2020, 1)
    assert ruling.removal == Ruling.Removal.REFUSED


def test_it_cites_an_article_for_every_record_of_the_real_persons(demo):
    real = set(Person.objects.filter(name__in=REAL_PERSONS))
    records = [record for record in case_records() if persons_of(record) & real]

    assert len(records) > 50
    for record in records:
        kinds = {citation.source.kind for citation in record.citations.all()}
        assert kinds == {Source.Kind.ARTICLE}, record


def test_it_cites_no_article_for_the_fictional_examples(demo):
    fictional = set(Person.objects.filter(name__contains="fictional"))
    records = [record for record in case_records() if persons_of(record) & fictional]

    assert records
    for record in records:
        kinds = {citation.source.kind for citation in record.citations.all()}
        assert kinds == {Source.Kind.OTHER}, record


def test_it_keeps_the_spellings_the_articles_use(demo):
    variant = NameVariant.objects.get(name="Musakhauly")
    assert variant.person.name == "Qaster Musakhanuly"
    assert "Fergana" in variant.note
    assert Authority.objects.get(name="Zaysan court").other_names == "Zaisan court, Zaisan"
    for name in (INTERNAL_EXAMPLE, CONFIDENTIAL_EXAMPLE):
        assert person(name).variants.get().script == NameVariant.Script.CYRILLIC


def test_it_makes_the_real_persons_public_with_fixed_references(demo):
    for name in REAL_PERSONS:
        real = person(name)
        assert real.visibility == Person.Visibility.PUBLIC
        assert len(real.ref) == REFERENCE_LENGTH
        assert set(real.ref) <= set(REFERENCE_ALPHABET)
    assert person("Qaisha Aqan").ref == "769qkwrr23"


def test_it_marks_the_fictional_examples_internal_and_confidential(demo):
    internal, confidential = person(INTERNAL_EXAMPLE), person(CONFIDENTIAL_EXAMPLE)

    assert internal.visibility == Person.Visibility.INTERNAL
    assert confidential.visibility == Person.Visibility.CONFIDENTIAL
    for example in (internal, confidential):
        assert example.internal_notes
        assert example.crossings.exists()
        assert example.statuses.exists()
    assert set(Person.objects.visible_to(AnonymousUser())) == set(
        Person.objects.filter(name__in=REAL_PERSONS)
    )


def test_it_creates_demo_users_in_debug(settings):
    settings.DEBUG = True

    output = load()

    admin = User.objects.get(username="demo_admin")
    lawyer = User.objects.get(username="demo_lawyer")
    researcher = User.objects.get(username="demo_researcher")
    assert admin.is_superuser and admin.is_staff
    assert admin.groups.filter(name=ADMINS).exists()
    assert lawyer.is_staff and lawyer.groups.filter(name=LAWYERS).exists()
    assert researcher.groups.filter(name=RESEARCHERS).exists()
    assert set(lawyer.assigned_persons.values_list("name", flat=True)) == {
        "Qaisha Aqan",
        "Baghashar Malikuly",
        CONFIDENTIAL_EXAMPLE,
    }
    assert lawyer.check_password("demo-lawyer-password")
    assert "demo_lawyer" in output and "demo-lawyer-password" in output
    assert person(CONFIDENTIAL_EXAMPLE).is_visible_to(lawyer)
    assert person(INTERNAL_EXAMPLE).is_visible_to(researcher)
    assert not person(CONFIDENTIAL_EXAMPLE).is_visible_to(researcher)


def test_it_leaves_a_changed_demo_password_alone(settings):
    settings.DEBUG = True
    load()
    lawyer = User.objects.get(username="demo_lawyer")
    lawyer.set_password("changed-password")
    lawyer.save()

    load()

    lawyer.refresh_from_db()
    assert lawyer.check_password("changed-password")


def test_it_creates_no_users_without_debug(settings):
    settings.DEBUG = False

    output = load()

    assert not User.objects.exists()
    assert "DEBUG is off" in output
    assert Person.objects.count() == 8

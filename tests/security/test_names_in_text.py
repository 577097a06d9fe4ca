"""The hostile review, item 13: names in free text.

Make Qaster Musakhanuly confidential, and his name still showed to the public: in Murager
Alimuly's public summary, in a source's date note on Qaisha Aqan's and Sairagul Sauytbay's
pages, and in their timeline.json. Replayed on the demo for every kind of reader and every
output; who may not see him must find none of his names, who may see him finds them.
"""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from people.models import Person

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
MAY_SEE_HIM = {"lawyer", "admin_user"}
# His name, its distinctive part on its own, and the misspelling a source uses.
HIS_NAMES = ["Qaster Musakhanuly", "Musakhanuly", "Musakhauly", "n7c5jtcdzn"]
ALIMULY, AQAN, SAUYTBAY = "qt684s5q3z", "769qkwrr23", "z8zrzsnctf"


@pytest.fixture
def demo(settings, lawyer):
    settings.DEBUG = False
    call_command("load_demo", stdout=io.StringIO())
    musakhanuly = Person.objects.get(ref="n7c5jtcdzn")
    musakhanuly.visibility = Person.Visibility.CONFIDENTIAL
    musakhanuly.save()
    musakhanuly.lawyers.add(lawyer)
    return musakhanuly


def read_as(request, reader, url):
    client = Client()
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    response = client.get(url)
    assert response.status_code == 200, url
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def names_in(text):
    return [name for name in HIS_NAMES if name.lower() in text.lower()]


def pages():
    for ref in (ALIMULY, AQAN, SAUYTBAY):
        yield reverse("cases:person", kwargs={"ref": ref})
        yield reverse("cases:person-json", kwargs={"ref": ref})
    yield reverse("cases:directory")
    yield reverse("cases:directory-json")
    yield reverse("cases:directory") + "?q=Alimuly"


# One demo for several readers: loading it is the slow part.


def test_no_page_names_him_to_a_reader_who_may_not_see_him(request, demo):
    for reader in READERS:
        for url in pages():
            text = read_as(request, reader, url).decode()
            if reader in MAY_SEE_HIM:
                continue
            assert names_in(text) == [], (reader, url)
            assert "a person whose name is withheld" not in text, (reader, url)


def test_alimulys_summary_withholds_his_name_and_keeps_the_rest(request, demo):
    url = reverse("cases:person-json", kwargs={"ref": ALIMULY})
    for reader in READERS:
        summary = json.loads(read_as(request, reader, url))["person"]["summary"]
        if reader in MAY_SEE_HIM:
            assert "crossed irregularly into Kazakhstan with Qaster Musakhanuly" in summary
        else:
            assert "into Kazakhstan with [name withheld] on 1 October" in summary, reader
            assert "sentenced with [name withheld] by the Zaysan court" in summary, reader


def test_the_date_note_of_a_source_shared_with_him_withholds_his_name(request, demo):
    for reader in READERS:
        for ref in (AQAN, SAUYTBAY):
            url = reverse("cases:person", kwargs={"ref": ref})
            body = read_as(request, reader, url).decode()
            assert "the arrests &#x27;in October&#x27; of Alimuly and" in body
            shown = "Musakhanuly" if reader in MAY_SEE_HIM else "[name withheld]"
            assert f"of Alimuly and {shown} (who crossed on 1 October 2019)" in body, reader


def test_his_own_page_stays_a_404_to_who_may_not_see_him(request, demo):
    for reader in READERS:
        client = Client()
        if reader != "anonymous":
            client.force_login(request.getfixturevalue(reader))
        for name in ("cases:person", "cases:person-json"):
            response = client.get(reverse(name, kwargs={"ref": demo.ref}))
            assert response.status_code == (200 if reader in MAY_SEE_HIM else 404)


EXPORTS = [
    "reports:export-persons-csv",
    "reports:export-entries-csv",
    "reports:export-json",
    "reports:export-xlsx",
]


def export_text(content, name):
    if name.endswith("xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "".join(
                workbook.read(member).decode()
                for member in workbook.namelist()
                if member.endswith(".xml")
            )
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("export", EXPORTS)
def test_an_export_names_him_only_to_who_may_see_him(request, demo, export):
    for reader in ["researcher", "other_lawyer", "lawyer", "admin_user"]:
        text = export_text(read_as(request, reader, reverse(export)), export)
        assert "Murager Alimuly" in text
        if reader in MAY_SEE_HIM:
            assert "Musakhanuly" in text
        else:
            assert names_in(text) == [], reader
            assert "[name withheld]" in text


def test_the_command_export_as_a_researcher_withholds_him(demo, researcher, tmp_path):
    for export_format in ("json", "csv"):
        output = tmp_path / f"export.{export_format}"
        call_command(
            "export_cases",
            format=export_format,
            output=str(output),
            as_user=researcher.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        assert names_in(output.read_text(encoding="utf-8-sig")) == []


def test_the_full_export_without_a_user_keeps_every_name(demo, tmp_path):
    output = tmp_path / "export.json"
    call_command("export_cases", format="json", output=str(output), stdout=io.StringIO())
    text = output.read_text()
    assert "crossed irregularly into Kazakhstan with Qaster Musakhanuly" in text
    assert "[name withheld]" not in text


def test_the_history_of_alimuly_withholds_him_from_a_lawyer_who_may_not_see_him(
    client, demo, other_lawyer
):
    alimuly = Person.objects.get(ref=ALIMULY)
    alimuly.lawyers.add(other_lawyer)
    client.force_login(other_lawyer)
    body = client.get(reverse("account:person-history", kwargs={"ref": ALIMULY})).content
    text = body.decode()
    assert "Murager Alimuly" in text
    assert names_in(text) == []
    assert "whose name is withheld" not in text


def admin_pages(musakhanuly):
    from cases.models import Event, Proceeding

    yield reverse("admin:cases_event_changelist")
    yield reverse("admin:cases_citation_changelist")
    yield reverse("admin:cases_proceeding_changelist")
    yield reverse("admin:cases_source_changelist")
    # The records he shares with a public person: a reader who may not see him sees these.
    shared = {"persons__visibility": Person.Visibility.PUBLIC}
    for event in Event.objects.filter(persons=musakhanuly).filter(**shared).distinct():
        yield reverse("admin:cases_event_change", args=[event.pk])
        yield reverse("admin:cases_event_history", args=[event.pk])
        version = event.history.order_by("history_id").last()
        yield reverse("admin:cases_event_simple_history", args=[event.pk, version.history_id])
    for proceeding in Proceeding.objects.filter(persons=musakhanuly).filter(**shared).distinct():
        yield reverse("admin:cases_proceeding_change", args=[proceeding.pk])


@pytest.mark.parametrize("reader", ["other_lawyer", "admin_user"])
def test_the_admins_read_only_pages_withhold_his_names(request, demo, reader):
    """Found by the review of the merged work: the admin's lists, titles and view-only forms
    showed a hidden co-defendant's name from typed text to a lawyer who represents neither."""
    shown = []
    for url in admin_pages(demo):
        text = read_as(request, reader, url).decode()
        shown += [(url, name) for name in names_in(text)]
    if reader == "admin_user":
        assert shown
    else:
        assert shown == []


def test_an_editable_admin_form_locks_a_text_that_names_him(client, demo, other_lawyer):
    """Masking a form's value would write "[name withheld]" over the text on save: a text that
    names him is locked for a lawyer who may change the record but not see him, and shown
    masked (tests/security/test_admin_names.py: what a save then writes)."""
    from cases.models import BorderCrossing, Citation
    from casetracker.admin_access import LOCKED_HELP

    alimuly = Person.objects.get(ref=ALIMULY)
    alimuly.lawyers.add(other_lawyer)
    crossing = next(
        crossing
        for crossing in BorderCrossing.objects.filter(person=alimuly)
        if Citation.objects.filter(
            object_id=crossing.pk,
            quote__contains="Musakhanuly",
            content_type__model="bordercrossing",
        ).exists()
    )
    client.force_login(other_lawyer)
    response = client.get(reverse("admin:cases_bordercrossing_change", args=[crossing.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"]
    text = response.content.decode()
    assert names_in(text) == []
    assert "[name withheld]" in text and str(LOCKED_HELP) in text

"""Names of persons a reader may not see, withheld from the admin's typed text.

The visibility rules (``casetracker.admin_access``) hide the records of such a person, but
the text typed into records the reader may see (a source's title, a summary, a quote) can
still name them. The admin withholds those names as the lawyer's pages do
(``cases.masking``):

- every page (list, form, delete confirmation, history, the site's index) is masked;
- a text field whose value names such a person is locked for the user: shown masked, saved as
  it was, so a save never writes "[name withheld]" over it;
- a search matches only what the user may read, and the autocomplete's labels are masked.

``NameWithholdingMixin`` brings this to ``RecordAdmin``; ``withhold_names_on_site`` to the
admin site's own pages.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from people.models import NameVariant, Person, is_admin
from people.record_persons import request_memo

HIDDEN_VALUE = _("(withheld)")
LOCKED_HELP = _("This text names a person you may not see; an admin or their lawyer can change it.")


def request_masker(request):
    """The masker of the names of every person the user may not see (``NameWithholdingMixin.
    reader_masker``), built once per request; None for an admin, who sees everyone, and
    when no one is hidden."""
    build = NameWithholdingMixin.reader_masker
    if build is None or is_admin(request.user):
        return None
    return request_memo(request, "masker", lambda: build(request.user)) or None


def typed_text(field):
    """What withholding names treats a model field as: "address" (a URL), "text" (other
    typed text) or None: choices, a person's own name or reference (the persons an admin
    page reaches through a record are persons the user may see), anything else."""
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return None
    if field.model in (Person, NameVariant) and field.name in ("name", "ref"):
        return None
    return "address" if isinstance(field, models.URLField) else "text"


def names_someone(masker, kind, value):
    if kind == "address" and masker.names_someone_in_address(value):
        return True
    return masker.names_someone(value)


def withheld(masker, kind, value):
    """``value`` as the reader may read it: an address that spells a name is withheld whole
    (its words run together in lower case, where a masker of typed text cannot see them)."""
    if kind == "address" and masker.names_someone_in_address(value):
        return str(HIDDEN_VALUE)
    return masker(value)


class WithheldTextField(forms.CharField):
    """A text that names a person the user may not see: shown with the names withheld, not
    editable, and saved exactly as it was: Django ignores what is posted for a disabled field,
    and the saved text is not cleaned again (stripped, or normalised as an address)."""

    def __init__(self, saved, **kwargs):
        super().__init__(disabled=True, required=False, strip=False, **kwargs)
        self.saved = saved

    def clean(self, value):
        return self.saved


def withhold_names(form, masker, shown=None):
    """Lock each text field of a record's form whose value names a person the user may not see.

    ``shown`` is the record whose values the form shows (a revert shows an older version than
    the record it saves); the form's own record by default. A locked field shows the value with
    the names withheld and saves the form's record's value unchanged. A new record has nothing
    saved to lock: what the user types is theirs.
    """
    record = form.instance
    shown = record if shown is None else shown
    if record.pk is None or not masker:
        return
    for name, field in list(form.fields.items()):
        if isinstance(field, WithheldTextField):
            continue
        try:
            kind = typed_text(form._meta.model._meta.get_field(name))
        except FieldDoesNotExist:
            continue
        value = getattr(shown, name, None)
        if kind is None or not names_someone(masker, kind, value):
            continue
        locked = WithheldTextField(
            getattr(record, name),
            label=field.label,
            help_text=LOCKED_HELP,
            # A plain text box: an address widget would link to the withheld address.
            widget=AdminTextInputWidget if kind == "address" else field.widget,
        )
        # A table row of an inline shows no help text: the box says it when pointed at.
        locked.widget.attrs["title"] = LOCKED_HELP
        form.fields[name] = locked
        form.initial[name] = withheld(masker, kind, value)


def withholding_form(form_class, masker):
    """``form_class`` with the fields that name a hidden person locked (``withhold_names``)."""

    class WithholdingForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            withhold_names(self, masker)

    WithholdingForm.__name__ = form_class.__name__
    return WithholdingForm


INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
TEXTAREA = re.compile(r"(<textarea\b[^>]*>)(.*?)</textarea>", re.IGNORECASE | re.DOTALL)
# Django renders attributes as name="escaped value" or a bare name (disabled).
ATTRIBUTE = re.compile(r'\s([^\s=>"]+)(?:="([^"]*)")?')
# A URL field shown read-only is a link to its address.
EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)">(.*?)</a>', re.IGNORECASE | re.DOTALL)


def _attributes(tag):
    return {match.group(1).lower(): match for match in ATTRIBUTE.finditer(tag)}


def _kept_as_typed(html, request):
    """Where a page holds what the user typed, or a text checked to name no one: the values of
    enabled inputs and text areas (a text that names someone is locked: disabled, shown
    masked) and the search in the list's links. Masking those would save "[name withheld]"
    over the user's text, and tell them that a word they typed is the name of someone hidden.
    """
    spans = []
    for match in INPUT_TAG.finditer(html):
        attributes = _attributes(match.group())
        value = attributes.get("value")
        if value is not None and value.group(2) is not None and "disabled" not in attributes:
            spans.append((match.start() + value.start(2), match.start() + value.end(2)))
    for match in TEXTAREA.finditer(html):
        if "disabled" not in _attributes(match.group(1)):
            spans.append(match.span(2))
    term = request.GET.get(SEARCH_VAR)
    if term:
        searched = re.escape(urlencode({SEARCH_VAR: term}))
        spans += [m.span() for m in re.finditer(rf'(?<=[?;&]){searched}(?=[&"#]|$)', html)]
    return sorted(spans)


def mask_html(html, masker, request):
    """A rendered admin page with the names withheld, except where the user's own text is."""
    html = EXTERNAL_LINK.sub(
        lambda link: (
            str(HIDDEN_VALUE) if masker.names_someone_in_address(link.group(1)) else link.group()
        ),
        html,
    )
    parts, position = [], 0
    for start, end in _kept_as_typed(html, request):
        if start < position:
            continue
        parts += [masker(html[position:start]), html[start:end]]
        position = end
    parts.append(masker(html[position:]))
    return "".join(parts)


def mask_page(request, response):
    """Withhold from a page of the admin the names of persons the reader may not see.

    What the page shows of a text that names one is masked; a form's text that names one is
    locked (``withhold_names``), so a save never writes "[name withheld]". The values of the
    other fields, and the search, are what the user typed: kept as they are.
    """
    if response.status_code != 200:
        return response
    masker = request_masker(request)
    if masker is None:
        return response

    def mask(rendered):
        charset = rendered.charset
        html = rendered.content.decode(charset)
        rendered.content = mask_html(html, masker, request).encode(charset)

    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(mask)
    else:
        mask(response)
    return response


class WithholdingAutocompleteJsonView(AutocompleteJsonView):
    """The choices a foreign-key box offers as the user types (a citation's source), labelled
    without the names of persons the user may not see."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        masker = request_masker(self.request)
        if masker is not None:
            result["text"] = masker(result["text"])
        return result


def withhold_names_on_site(site):
    """The admin site's own pages withhold names too: its index lists the user's recent
    actions by the records' names (a source's title), and its autocomplete labels the choices
    a foreign-key box offers as the user types (``WithholdingAutocompleteJsonView``)."""
    index = site.index

    def index_view(request, extra_context=None):
        return mask_page(request, index(request, extra_context))

    def autocomplete_view(request):
        return WithholdingAutocompleteJsonView.as_view(admin_site=site)(request)

    site.index = index_view
    site.autocomplete_view = autocomplete_view


def search_bits(search_term):
    """The words of a search as Django's admin matches them, each on its own."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        yield bit


def _contains(word, value):
    return word.casefold() in value.casefold()


def _starts_with(word, value):
    return value.casefold().startswith(word.casefold())


def _equals(word, value):
    return value.casefold() == word.casefold()


# What a hidden name leaves in a text a search reads: a character no search word holds.
CUT = "\x00"
# Django's prefixes of search_fields; a full-text search ("@") is taken as "contains".
SEARCH_MATCHES = {"^": _starts_with, "=": _equals}


class SearchSpec(NamedTuple):
    """One of ``search_fields``: the path of the value searched, how Django's admin matches a
    word to it, and what the value is (``typed_text``)."""

    path: str
    match: Callable[[str, str], bool]
    kind: str | None

    @classmethod
    def of(cls, model, spec):
        spec = str(spec)
        path = spec.lstrip("^=@")
        field = None
        try:
            for part in path.split(LOOKUP_SEP):
                model = field.related_model if field is not None else model
                field = model._meta.get_field(part)
        except FieldDoesNotExist as missing:
            raise ImproperlyConfigured(
                f"search_fields: {spec} is not a field path (a lookup at its end is not supported)."
            ) from missing
        return cls(path, SEARCH_MATCHES.get(spec[0], _contains), typed_text(field))

    def readable(self, value, masker):
        """The value as a search may match it: each name of a hidden person cut out, not
        replaced by "[name withheld]" (a placeholder is not text: "held" would find it only
        where a hidden name holds "held")."""
        if self.kind == "address" and masker.address_regex:
            value = masker.address_regex.sub(CUT, value)
        if self.kind and masker.regex:
            value = masker.regex.sub(CUT, value)
        return value


class NameWithholdingMixin:
    """The pages and the search of a ``RecordAdmin`` withhold the names of hidden persons."""

    # Builds, for a reader, the masker of the names of persons they may not see that typed
    # text may hold (cases.masking); set by the cases app, which casetracker may not import.
    reader_masker = None

    def drop_hidden_matches(self, request, results, search_term):
        """The rows of a search that match it in what the user may read.

        The database matches the typed text as saved, names of hidden persons included: a row
        whose only match lies inside such a name would confirm the name. The searched values
        of the rows found are read in one query and matched again with those names cut out:
        a search for a word of a hidden name then finds what a word found nowhere finds.
        """
        masker = request_masker(request)
        bits = list(search_bits(search_term))
        if masker is None or not bits:
            return results
        specs = [SearchSpec.of(self.model, spec) for spec in self.get_search_fields(request)]
        if not any(spec.kind for spec in specs):
            return results
        readable = defaultdict(set)  # per row: (spec, a value of it as the user may read it)
        for pk, *row in results.order_by().values_list("pk", *(spec.path for spec in specs)):
            for spec, value in zip(specs, row, strict=True):
                if isinstance(value, str):
                    readable[pk].add((spec, spec.readable(value, masker)))
        dropped = [
            pk
            for pk, found in readable.items()
            if not all(any(spec.match(bit, text) for spec, text in found) for bit in bits)
        ]
        return results.exclude(pk__in=dropped) if dropped else results

    # Every page of a record, masked once rendered (revert and history included).

    def mask_names(self, request, response):
        """Withhold from a page the names of persons the reader may not see (``mask_page``)."""
        return mask_page(request, response)

    def changelist_view(self, request, extra_context=None):
        # The confirmation of a bulk action (delete selected) is the list's response too.
        response = super().changelist_view(request, extra_context)
        return self.mask_names(request, response)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Add and change, editable or not, and a form shown again after a failed save.
        response = super().changeform_view(request, object_id, form_url, extra_context)
        return self.mask_names(request, response)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return self.mask_names(request, response)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self.mask_names(request, response)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        return self.mask_names(request, response)

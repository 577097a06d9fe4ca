"""Citing sources: pick one on record from a searchable list, or add a new one in place."""

import re

from django import forms
from django.contrib.contenttypes.forms import (
    BaseGenericInlineFormSet,
    generic_inlineformset_factory,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.masking import NO_MASKING
from cases.models import Citation, Source
from casetracker.formsets import row_limits

from .dates import EMPTY, ApproximateDateField, ApproximateDateFormMixin
from .rows import RowCountMixin
from .withheld import WithheldTextsMixin

SOURCE_LIST_ID = "source-options"
_ID_SUFFIX = re.compile(r"\[#(\d+)\]\s*$")


def source_label(source, masker=NO_MASKING):
    """What the searchable list shows and what comes back when a source is picked: its id
    decides, so a label with a name withheld (``masker``) is picked as surely as any."""
    return f"{masker(str(source))} [#{source.pk}]"


def offered_sources(user):
    """Every source the user may cite, in the order of the page's <datalist>."""
    return list(Source.objects.choosable_by(user).order_by("title", "pk"))


def source_options(sources, masker):
    """The labels of the page's <datalist>, names of hidden persons withheld by ``masker``."""
    return [source_label(source, masker) for source in sources]


class SourceChoiceField(forms.Field):
    """A text input tied to a <datalist> of sources: type to search, pick, and it is chosen.

    Works without JavaScript: browsers filter the list as you type. A typed title that
    matches exactly one source is accepted too. Only sources in ``queryset`` (those the
    user may see) can be chosen, whether by title or by id.
    """

    default_error_messages = {
        "unknown": _(
            "There is no such source on record. Pick one from the list as you type its "
            "title, or add a new source below."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": SOURCE_LIST_ID, "autocomplete": "off"})
        )
        super().__init__(**kwargs)
        self.queryset = Source.objects.none()
        self.masker = NO_MASKING

    def prepare_value(self, value):
        if isinstance(value, Source):
            return source_label(value, self.masker)
        if isinstance(value, int):
            source = self.queryset.filter(pk=value).first()
            return source_label(source, self.masker) if source else ""
        return value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        match = _ID_SUFFIX.search(text)
        if match:
            source = self.queryset.filter(pk=int(match.group(1))).first()
        else:
            matches = list(self.queryset.filter(title__iexact=text)[:2])
            source = matches[0] if len(matches) == 1 else None
            if source is not None and self.masker.names_someone(source.title):
                # The title as shown has the name withheld: accepting the name typed whole
                # would confirm a guess of it.
                source = None
        if source is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return source

    def has_changed(self, initial, data):
        try:
            typed = self.to_python(data)
        except ValidationError:
            return True
        initial_pk = getattr(initial, "pk", initial)
        return (typed.pk if typed else None) != (initial_pk or None)


class CitationForm(WithheldTextsMixin, forms.ModelForm):
    """One source cited for a fact: a source on record or a new one, a quote, a confidence.

    A quote that names a person the user may not see is shown masked and kept as it is
    (``cases.forms.withheld``); ``masker`` withholds those names, from the source too."""

    source = SourceChoiceField(
        label=_("Source on record"),
        required=False,
        help_text=_("Start typing the title or publisher and pick from the list."),
    )
    new_title = forms.CharField(label=_("Title"), max_length=300, required=False)
    new_publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    new_url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    new_published = ApproximateDateField(
        label=_("Publication date"),
        required=False,
        help_text=_("The year alone, the year and month, or the full date it was published."),
    )
    new_kind = forms.ChoiceField(
        label=_("Kind of source"),
        choices=Source.Kind.choices,
        initial=Source.Kind.ARTICLE,
        required=False,
    )
    new_language = forms.CharField(
        label=_("Language"), max_length=10, required=False, help_text=_("Code: en, ru, kk…")
    )

    new_source_fields = [
        "new_title",
        "new_publisher",
        "new_url",
        "new_published",
        "new_kind",
        "new_language",
    ]

    class Meta:
        model = Citation
        fields = ["source", "quote", "confidence"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, masker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.choosable_by(user)
        self.fields["source"].masker = masker
        self.new_source = None
        if self.instance.pk is not None:
            # The formset fetched the sources with the citations: no query per row.
            self.initial["source"] = self.instance.source
        self.withhold_texts(masker)

    def shows_new_source(self):
        """Whether the 'add a new source' part should be open: something typed or wrong there."""
        if any(self[name].errors for name in self.new_source_fields):
            return True
        if not self.is_bound:
            return False
        typed = [self[name].data for name in ("new_title", "new_publisher", "new_url")]
        return any((text or "").strip() for text in typed)

    def clean(self):
        cleaned_data = super().clean()
        source = cleaned_data.get("source")
        title = cleaned_data.get("new_title", "").strip()
        if "source" in self.errors:
            return cleaned_data
        if source and title:
            self.add_error(
                "new_title",
                ValidationError(
                    _("Either pick a source on record or add a new one, not both."),
                    code="source_twice",
                ),
            )
        elif not source and not title:
            self.add_error(
                "source",
                ValidationError(
                    _("Pick a source on record, or add a new one by giving its title."),
                    code="source_missing",
                ),
            )
        elif title:
            self.new_source = self._new_source(cleaned_data, title)
        return cleaned_data

    def _new_source(self, cleaned_data, title):
        source = Source(
            kind=cleaned_data.get("new_kind") or Source.Kind.ARTICLE,
            title=title,
            publisher=cleaned_data.get("new_publisher", ""),
            url=cleaned_data.get("new_url", ""),
            language=cleaned_data.get("new_language", ""),
        )
        published = cleaned_data.get("new_published", EMPTY)
        if "new_published" in self.errors:
            return None
        if not published.is_set:
            self.add_error(
                "new_published",
                ValidationError(
                    _(
                        "Enter when the new source was published (at least the year), or tick "
                        "'date unknown'."
                    ),
                    code="source_date_missing",
                ),
            )
            return None
        source.approx_published = published
        try:
            source.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                target = f"new_{name}" if f"new_{name}" in self.fields else None
                for message in messages:
                    self.add_error(target, message)
            return None
        return source


class BaseCitationFormSet(RowCountMixin, BaseGenericInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this citation")

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            source = form.cleaned_data.get("source")
            if source is None:
                continue
            if source.pk in seen:
                form.add_error(
                    "source",
                    ValidationError(
                        _("This source is already cited for this record."), code="cited_twice"
                    ),
                )
            seen.add(source.pk)


def citation_formset(data=None, *, record, user, masker):
    """The citations of ``record`` (saved or not), with room for new ones, as ``user`` cites;
    ``masker`` withholds the names of the persons the user may not see (see ``edit_masker``)."""
    formset_class = generic_inlineformset_factory(
        Citation,
        form=CitationForm,
        formset=BaseCitationFormSet,
        # A new fact usually has a source or two; an existing one gets one more row.
        extra=1 if record.pk else 2,
        can_delete=True,
        **row_limits(),
    )
    return formset_class(
        data,
        instance=record if record.pk else None,
        prefix="citations",
        queryset=Citation.objects.select_related("source"),
        form_kwargs={"user": user, "masker": masker},
    )


class SourceCiteForm(ApproximateDateFormMixin, forms.ModelForm):
    """A new source, cited at once for some of the person's records with one quote."""

    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    published = ApproximateDateField.for_model(Source, "published")
    cite_for = forms.MultipleChoiceField(
        label=_("Cite it for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The entries of this person's timeline that this source reports."),
    )
    quote = forms.CharField(
        label=_("Quote"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The short passage of the source that supports these entries."),
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"),
        choices=Citation.Confidence.choices,
        initial=Citation.Confidence.HIGH,
    )

    field_order = ["kind", "title", "publisher", "url", "published", "date_note", "language"]

    class Meta:
        model = Source
        fields = ["kind", "title", "publisher", "url", "date_note", "language"]

    def __init__(self, data=None, *, person, user, entries, **kwargs):
        self.person = person
        self.user = user
        super().__init__(data, **kwargs)
        # entries: (anchor, label) of the person's timeline, e.g. ("hearing-3", "…").
        self.fields["cite_for"].choices = entries
        if not entries:
            del self.fields["cite_for"]

    def cited_anchors(self):
        return list(self.cleaned_data.get("cite_for") or [])

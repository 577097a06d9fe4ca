"""Saved text that names a person the lawyer may not see: shown masked, never editable.

A form shows a saved text so that it can be changed. Masked, the text would be written back
with "[name withheld]" in place of the name; whole, it would name the person. So such a text
leaves the form's fields (a ModelForm then neither shows, validates nor saves it, and the
saved text stays as it was, byte for byte) and is shown read only, masked, with a note on who
can change it. Which names: those of ``cases.masking.case_masker`` for the form's page.

The names of the records and sources a form offers as choices are masked too: a choice is
sent back by its id, never by its label.
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.masking import NO_MASKING, case_masker
from cases.models import Event, Proceeding, Source
from people.models import Person, is_admin

LOCKED_NOTE = _("This text names a person you may not see; an admin or their lawyer can change it.")


@dataclass(frozen=True)
class LockedText:
    """A saved text shown instead of its field: ``text`` is masked."""

    name: str
    html_name: str
    label: str
    text: str
    form_field: object = field(default=None, compare=False, repr=False)

    @property
    def note(self):
        return LOCKED_NOTE


def linked_records(record):
    """The ids of the proceedings and events ``record`` is part of: (proceedings, events)."""
    if record is None or record.pk is None:
        return [], []
    if isinstance(record, Proceeding):
        return [record.pk], []
    if isinstance(record, Event):
        return [], [record.pk]
    proceeding_id = getattr(record, "proceeding_id", None)
    return ([proceeding_id] if proceeding_id else []), []


def edit_masker(user, person, record, sources=None):
    """The masker of a lawyer's form for ``record`` of ``person``: the names of the persons
    ``user`` may not see who share a proceeding or event with the person or the record, or a
    source the form offers (``sources``: their ids; by default every source the user may cite).
    """
    if user is not None and is_admin(user):
        return NO_MASKING
    if sources is None:
        # Ids read first: the query of the sources a user may see nested in the masker's query
        # is too deep for SQLite and slow on PostgreSQL.
        sources = list(Source.objects.choosable_by(user).values_list("pk", flat=True))
    proceedings, events = linked_records(record)
    return case_masker(user, person, proceedings=proceedings, events=events, sources=sources)


def _lock_texts(form, masker, record):
    """Take out of ``form`` each text field whose value in ``record`` names a hidden person."""
    locked = {}
    if not masker:
        return locked
    model_fields = set(form._meta.fields or ()) - set(form.never_locked)
    for name, form_field in list(form.fields.items()):
        if name not in model_fields or not isinstance(form_field, forms.CharField):
            continue
        saved = getattr(record, name, None)
        if masker.names_someone(saved):
            locked[name] = LockedText(
                name, form.add_prefix(name), form_field.label, masker(saved), form_field
            )
            del form.fields[name]
    return locked


def _mask_choice_labels(form, masker):
    """Records offered as choices (a proceeding, a court) are named as the reader may read them.

    Persons are offered only among those the user manages: their names are never masked."""
    if not masker:
        return
    for choice in form.fields.values():
        if not isinstance(choice, forms.ModelChoiceField) or choice.queryset.model is Person:
            continue
        shown = choice.label_from_instance
        choice.label_from_instance = lambda obj, shown=shown: masker(str(shown(obj)))


class WithheldTextsMixin:
    """For a ModelForm: call ``withhold_texts(masker)`` at the end of ``__init__``.

    ``locked``: the texts taken out of the form, by field name; ``rows()``: the form's visible
    fields and its locked texts in the form's order.
    """

    masker = NO_MASKING
    locked = {}
    # Texts never locked: a person's own name, which the masker keeps anyway.
    never_locked = ()

    def withhold_texts(self, masker):
        self.masker = masker
        self.field_names_in_order = list(self.fields)
        self.locked = _lock_texts(self, masker, self.instance)
        _mask_choice_labels(self, masker)

    def withhold_texts_of(self, record):
        """Also lock the texts that name a hidden person in ``record`` (a newer version of the
        form's record, after a refused stale save): the next save keeps them as they are."""
        self.locked = {**self.locked, **_lock_texts(self, self.masker, record)}

    def typed_into_locked(self, name):
        """What was posted for the locked text ``name``: None if nothing (it had no input)."""
        form_field = self.locked[name].form_field
        return form_field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))

    def changes_against(self, saved_form, display):
        """Where the saved record (as ``saved_form``, opened on it, shows it) differs from what
        was typed: (label, saved, typed) rows for the stale-save comparison.

        A text locked in either form is compared, masked, with what was typed into it: never
        with the saved text, or a guess typed into it would be confirmed by a missing row. A
        locked text that had no input in the form the user opened was not typed: no row."""
        compared = [(name, self.fields[name]) for name in self.compared_fields()]
        compared += [(name, locked.form_field) for name, locked in self.locked.items()]
        changes = []
        for name, form_field in compared:
            typed = self.typed_into_locked(name) if name in self.locked else self[name].data
            if name in self.locked and typed is None:
                continue
            if name in saved_form.locked:
                shown = saved_form.locked[name].text
                if not form_field.has_changed(shown, typed):
                    continue
            elif name in saved_form.fields:
                saved = saved_form.get_initial_for_field(saved_form.fields[name], name)
                if not form_field.has_changed(saved, typed):
                    continue
                shown = self.masker(display(form_field, saved))
            else:
                continue
            if name not in self.locked:
                typed = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            changes.append((form_field.label, shown, display(form_field, typed)))
        return changes

    def rows(self):
        """``(bound field, None)`` or ``(None, LockedText)`` for each visible row, in order."""
        names = self.field_names_in_order + [
            name for name in self.fields if name not in self.field_names_in_order
        ]
        for name in names:
            if name in self.locked:
                yield None, self.locked[name]
            elif name in self.fields and not self[name].is_hidden:
                yield self[name], None

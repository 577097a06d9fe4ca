"""The person form lawyers use: the person, their name variants, and who works on the case.

``save_person`` is the one write: the person, their variants and (for a new person) the
assignment of the lawyer who entered them, in one transaction. An edit carries the version
of the person it was opened on (``person_version``); a save over a newer version is refused
with ``StalePerson`` and the form shows what changed (optimistic locking, as for records).
"""

import hashlib

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casetracker.formsets import row_limits

from .models import NameVariant, Person, is_admin
from .roles import ADMINS, LAWYERS


def person_version(person):
    """The version of a person a form was opened on: the person's and their variants' saves.

    Variants are saved on their own rows, so a variant added, changed or removed elsewhere
    (the admin) changes the version too.
    """
    variants = sorted(
        (variant.pk, variant.updated_at.isoformat()) for variant in person.variants.all()
    )
    raw = "|".join([person.updated_at.isoformat(), *(f"{pk}@{saved}" for pk, saved in variants)])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def field_display(field, value):
    """A field's value as a lawyer reads it, for the 'what changed' comparison."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [getattr(item, "pk", item) for item in value or []]
        labels = [field.label_from_instance(item) for item in field.queryset.filter(pk__in=pks)]
        return ", ".join(sorted(labels)) or "—"
    if isinstance(field, forms.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value)) if value not in (None, "") else "—"
    return str(value) if value not in (None, "") else "—"


class LawyerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        full_name = user.get_full_name()
        return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


class NarrowingReview(forms.Form):
    """Narrowing a person's visibility: first the texts that name them and that readers who
    lose them still read, then the save once the reviewer confirms having seen every one.

    Mixed into the person forms of the lawyer pages and of the admin. Those texts belong to
    other persons' cases, so the cases app finds them: it sets ``finder`` when it is ready
    (cases/apps.py, cases/name_review.py), since people does not import cases. ``finder`` is
    called with (person, names, old visibility, new visibility) and returns objects with a
    ``key`` and ``where``, ``field`` and ``excerpt`` to show.
    """

    finder = None

    names_reviewed = forms.BooleanField(
        label=_("I have reviewed the texts that name this person: save"),
        help_text=_("Asked only when the visibility narrows and other texts name the person."),
        required=False,
    )
    reviewed_texts = forms.CharField(widget=forms.HiddenInput, required=False)

    # Names typed in the variant rows of the same page, which the form itself does not hold.
    typed_names = ()
    naming_texts = ()

    def clean(self):
        cleaned = super().clean()
        old, new = self.instance.visibility, cleaned.get("visibility")
        if self.finder is None or self.instance.pk is None or new in (None, old):
            return cleaned
        names = {self.instance.name, cleaned.get("name") or "", *self.typed_names}
        names.update(self.instance.variants.values_list("name", flat=True))
        texts = self.finder(self.instance, sorted(filter(None, names)), old, new)
        if texts and not self.review_confirmed(texts):
            self.naming_texts = texts
            self.ask_to_review(texts)
            raise ValidationError(
                [
                    ValidationError(
                        _(
                            "Readers who will no longer see this person still read texts "
                            "that name them. Review them below, then confirm and save again."
                        ),
                        code="names_to_review",
                    ),
                    *(
                        ValidationError(
                            "%(where)s — %(field)s: “%(text)s”",
                            code="names_to_review",
                            params={
                                "where": text.where,
                                "field": text.field,
                                "text": text.excerpt,
                            },
                        )
                        for text in texts
                    ),
                ]
            )
        return cleaned

    def review_confirmed(self, texts):
        """Whether the reviewer confirmed after being shown every one of ``texts``."""
        seen = set((self.cleaned_data.get("reviewed_texts") or "").split())
        return bool(self.cleaned_data.get("names_reviewed")) and {t.key for t in texts} <= seen

    def ask_to_review(self, texts):
        """Show the form again with ``texts``, asking to confirm before the save."""
        self.data = self.data.copy()
        self.data[self.add_prefix("reviewed_texts")] = " ".join(text.key for text in texts)
        self.data[self.add_prefix("names_reviewed")] = ""


class PersonAdminForm(NarrowingReview, forms.ModelForm):
    """The admin's person form: the admin chooses the fields; the review is the same."""

    class Meta:
        model = Person
        fields = []


class PersonForm(NarrowingReview, forms.ModelForm):
    """A person as a lawyer enters them; visibility and lawyers only for admins.

    A lawyer's new person keeps the model's default visibility (confidential) and is
    assigned to them by ``save_person``. The lawyer pages edit a person through a subclass
    that also withholds the names of persons the lawyer may not see (cases/forms/person.py).
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = [
            "name",
            "sex",
            "birth_year",
            "birth_year_is_approximate",
            "ethnicity",
            "citizenship",
            "place_of_origin",
            "public_summary",
            "internal_notes",
            "visibility",
            "lawyers",
        ]
        field_classes = {"lawyers": LawyerChoiceField}
        widgets = {
            "public_summary": forms.Textarea(attrs={"rows": 5}),
            "internal_notes": forms.Textarea(attrs={"rows": 5}),
            "visibility": forms.RadioSelect,
            "lawyers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.conflicts = []
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.label_suffix = ""  # a checkbox sits before its label
        if is_admin(user):
            assigned = self.instance.lawyers.all() if self.instance.pk else []
            self.fields["lawyers"].queryset = (
                get_user_model()
                .objects.filter(
                    Q(is_active=True, groups__name__in=[LAWYERS, ADMINS]) | Q(pk__in=assigned)
                )
                .distinct()
                .order_by("username")
            )
            self.fields["lawyers"].help_text = _(
                "They may change this person's case and read the internal notes. Admins may "
                "anyway; assign one only if they work on the case themselves."
            )
        else:
            # Who may see a person, and who works on the case, is for admins to decide.
            del self.fields["visibility"]
            del self.fields["lawyers"]
        if self.instance.pk is not None:
            self.initial["version"] = person_version(self.instance)

    def compared_fields(self):
        bookkeeping = ("version", "different_person", "names_reviewed", "reviewed_texts")
        return [name for name in self.fields if name not in bookkeeping]

    def field_changes(self, current):
        """Where the saved person's fields differ from what was typed: (label, saved, typed)."""
        saved_form = PersonForm(instance=current, user=self.user)
        changes = []
        for name in self.compared_fields():
            field = self.fields[name]
            saved = saved_form.get_initial_for_field(saved_form.fields[name], name)
            if not field.has_changed(saved, self[name].data):
                continue
            typed = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            changes.append((field.label, field_display(field, saved), field_display(field, typed)))
        return changes

    def changes_since(self, current, variants):
        """Where the saved person differs from what was typed: (label, saved, typed) rows."""
        changes = self.field_changes(current)
        saved_names = sorted(variant.name for variant in current.variants.all())
        typed_names = sorted(typed_variant_names(variants))
        if saved_names != typed_names:
            changes.append(
                (
                    gettext("Name variants"),
                    ", ".join(saved_names) or "—",
                    ", ".join(typed_names) or "—",
                )
            )
        return changes

    def refuse_as_stale(self, current, variants):
        """Keep what was typed, show what changed, and accept the newer version next time."""
        self.conflicts = self.changes_since(current, variants)
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = person_version(current)
        self.add_error(
            None,
            ValidationError(
                _(
                    "Someone else saved this person after you opened the form, so your "
                    "changes were not saved. Compare below; save again to keep your version."
                ),
                code="stale",
            ),
        )


class NewPersonForm(PersonForm):
    """A new person: saved only once the lawyer has seen the possible duplicates on record."""

    different_person = forms.BooleanField(
        label=_("This is a different person: save the new one"),
        required=False,
    )
    # The references of the candidates the lawyer was shown and confirmed against.
    seen_candidates = forms.CharField(widget=forms.HiddenInput, required=False)

    def confirmed_against(self, candidates):
        """Whether the lawyer confirmed after being shown every one of ``candidates``."""
        seen = set((self.cleaned_data.get("seen_candidates") or "").split())
        return (
            bool(self.cleaned_data.get("different_person"))
            and {candidate.person.ref for candidate in candidates} <= seen
        )

    def ask_to_confirm(self, candidates):
        """Show the form again with the candidates, asking to confirm it is someone else."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_candidates")] = " ".join(
            candidate.person.ref for candidate in candidates
        )
        self.data[self.add_prefix("different_person")] = ""


class NameVariantForm(forms.ModelForm):
    class Meta:
        model = NameVariant
        fields = ["name", "script", "note"]


class BaseNameVariantFormSet(forms.BaseInlineFormSet):
    """The name variants of a person, which someone else may have changed meanwhile."""

    FIELDS = ("id", "name", "script", "note", "DELETE")

    def _posted_rows(self):
        # The counts as the management form cleaned them: a posted count that is not a number
        # counts as none, and a huge one is capped.
        return [
            {name: self.data.get(f"{self.prefix}-{index}-{name}", "") for name in self.FIELDS}
            for index in range(self.total_form_count())
        ]

    def _saved_ids(self):
        return {str(pk) for pk in self.get_queryset().values_list("pk", flat=True)}

    def has_vanished_rows(self):
        """Whether a variant the form was opened with has been deleted since."""
        if not self.is_bound:
            return False
        initial = self.initial_form_count()
        saved = self._saved_ids()
        return any(row["id"] not in saved for row in self._posted_rows()[:initial])

    def rebased(self):
        """The same typed rows over the variants saved now.

        A row whose variant was deleted meanwhile becomes a new row with what was typed (or
        is dropped if it was to be deleted anyway), so saving again neither fails on a
        missing row nor loses what was typed. Variants added meanwhile are not in the form
        and are left as they are.
        """
        initial = self.initial_form_count()
        saved = self._saved_ids()
        kept, added = [], []
        for index, row in enumerate(self._posted_rows()):
            if index < initial and row["id"] in saved:
                kept.append(row)
            elif not row["DELETE"]:
                added.append({**row, "id": ""})
        data = self.data.copy()
        for key in list(data):
            if key.startswith(f"{self.prefix}-") and key.split("-")[1].isdigit():
                del data[key]
        for index, row in enumerate(kept + added):
            for name, value in row.items():
                if value:
                    data[f"{self.prefix}-{index}-{name}"] = value
        data[f"{self.prefix}-TOTAL_FORMS"] = str(len(kept) + len(added))
        data[f"{self.prefix}-INITIAL_FORMS"] = str(len(kept))
        return type(self)(data, instance=self.instance, prefix=self.prefix)


NameVariantFormSet = forms.inlineformset_factory(
    Person,
    NameVariant,
    form=NameVariantForm,
    formset=BaseNameVariantFormSet,
    extra=2,
    can_delete=True,
    **row_limits(30),
)


def variant_formset(data=None, *, person):
    return NameVariantFormSet(data, instance=person, prefix="variants")


def typed_variant_names(variants):
    """The variant names a valid formset will keep."""
    return [
        form.cleaned_data["name"]
        for form in variants.forms
        if getattr(form, "cleaned_data", None)
        and form.cleaned_data.get("name")
        and not form.cleaned_data.get("DELETE")
    ]


class StalePerson(Exception):
    """The person was saved by someone else after the form was opened (or deleted: None)."""

    def __init__(self, current):
        super().__init__("stale person")
        self.current = current


@transaction.atomic
def save_person(form, variants, *, user, version=None):
    """Save a person and their name variants together; a new person is assigned to its author.

    An edit is refused with ``StalePerson`` if the person changed since ``version``; the row
    stays locked until the end of the transaction, so two saves cannot both pass the check.
    An admin chooses the lawyers in the form; anyone else who enters a person works on it.
    """
    creating = form.instance.pk is None
    if not creating:
        current = Person.objects.select_for_update().filter(pk=form.instance.pk).first()
        if current is None or person_version(current) != version:
            raise StalePerson(current)
    person = form.save()
    variants.instance = person
    variants.save()
    if creating and not is_admin(user):
        person.lawyers.add(user)
    return person

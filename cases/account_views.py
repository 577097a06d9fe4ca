"""The signed-in lawyer's pages: home, a new person, a person's details, a person's history.

Editing a person and reading their history go through the access gate of the write views
(``cases.writes.person_write_view``): sign-in first, 404 for a person the user may not see,
403 for one they may see but not manage. The history shows internal notes as they were, so
it is for the same users as the edit form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from people.access_log import AccessLogEntry, record_read
from people.duplicates import possible_duplicates
from people.forms import (
    NewPersonForm,
    StalePerson,
    save_person,
    typed_variant_names,
    variant_formset,
)
from people.models import Person

from .dashboard import build_home, has_caseload
from .forms.person import PersonEditForm
from .history import person_history
from .masking import person_masker
from .writes import person_write_view


def home(request):
    """A lawyer's or admin's home; a short public landing for everyone else."""
    if not has_caseload(request.user):
        return render(request, "cases/account/landing.html")
    return render(request, "cases/account/home.html", {"home": build_home(request.user)})


def _form_context(form, variants, **extra):
    return {
        "form": form,
        "variants": variants,
        "formsets_invalid": variants.is_bound and not variants.is_valid(),
        **extra,
    }


@login_required
def person_create(request):
    """A new person, saved once any possible duplicate on record has been looked at."""
    if not request.user.has_perm("people.add_person"):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = NewPersonForm(data, instance=Person(), user=request.user)
    variants = variant_formset(data, person=form.instance)
    candidates = []
    if data is not None and form.is_valid() and variants.is_valid():
        names = [form.cleaned_data["name"], *typed_variant_names(variants)]
        candidates = possible_duplicates(
            request.user, names, birth_year=form.cleaned_data.get("birth_year")
        )
        if candidates and not form.confirmed_against(candidates):
            form.ask_to_confirm(candidates)
        else:
            person = save_person(form, variants, user=request.user)
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect(person.get_absolute_url())
    context = _form_context(form, variants, candidates=candidates, creating=True)
    return render(request, "cases/account/person_form.html", context)


def person_edit(request, person):
    """The person's details, name variants and (for admins) visibility and lawyers.

    Narrowing the visibility lists first the texts that name the person and that readers
    who lose the person still read; it is saved once the admin confirms having reviewed them
    (``people.forms.NarrowingReview``). A saved text that names a person the user may not
    see is shown masked and kept as it is (``cases.forms.person``).
    """
    data = request.POST if request.method == "POST" else None
    if data is None:
        record_read(request, person, AccessLogEntry.What.EDIT_FORM)
    name = person.name  # the form writes what was typed into the instance
    masker = person_masker(request.user, person)
    form = PersonEditForm(data, instance=person, user=request.user, masker=masker)
    variants = variant_formset(data, person=person)
    if data is not None and variants.is_valid():
        form.typed_names = typed_variant_names(variants)
    current = None
    if data is not None and form.is_valid():
        if variants.has_vanished_rows():
            # A variant was deleted since the form was opened: the person is stale.
            current = get_object_or_404(Person, pk=person.pk)
        elif variants.is_valid():
            try:
                save_person(form, variants, user=request.user, version=form.cleaned_data["version"])
            except StalePerson as stale:
                if stale.current is None:
                    raise Http404 from None  # deleted since the form was opened
                current = stale.current
            else:
                messages.success(request, _("%(name)s saved.") % {"name": person.name})
                return redirect(person.get_absolute_url())
    status = 200
    if current is not None:
        variants = variants.rebased()
        variants.is_valid()
        form.refuse_as_stale(current, variants)
        status = 409
    context = _form_context(
        form,
        variants,
        person=person,
        person_name=name,
        creating=False,
        naming_texts=form.naming_texts,
    )
    return render(request, "cases/account/person_form.html", context, status=status)


def history(request, person):
    """Who changed what in the person's case, and when."""
    context = {"person": person, "changes": person_history(person, request.user)}
    record_read(request, person, AccessLogEntry.What.HISTORY)
    return render(request, "cases/account/person_history.html", context)


person_edit = person_write_view(person_edit)
history = person_write_view(history)

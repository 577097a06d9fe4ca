"""The lawyer's form of a person: saved texts that name a person the lawyer may not see are
locked, as in the record forms (``cases.forms.withheld``).

``people`` holds the form (the admin's and the new person's share it) but does not know
which persons the lawyer may not see: that is the cases app's, so the locking is added here.
"""

from cases.masking import NO_MASKING
from people.forms import PersonForm, field_display

from .withheld import WithheldTextsMixin


class PersonEditForm(WithheldTextsMixin, PersonForm):
    """An existing person's form; ``masker``: that of ``cases.masking.person_masker``.

    The person's name is never locked: it is theirs, and the masker keeps it. Their name
    variants are on the page's own formset, never masked either."""

    never_locked = ("name",)

    def __init__(self, data=None, *, user, masker=NO_MASKING, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.withhold_texts(masker)

    def field_changes(self, current):
        saved_form = type(self)(instance=current, user=self.user, masker=self.masker)
        return self.changes_against(saved_form, field_display)

    def refuse_as_stale(self, current, variants):
        """As ``PersonForm``; a text that now names a person the user may not see is locked
        from here on, as it would be in a form opened on the newer version."""
        super().refuse_as_stale(current, variants)
        self.withhold_texts_of(current)

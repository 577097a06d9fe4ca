from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Exists, OuterRef

from casetracker.models import DatedModel
from people.models import Person


class PersonRecordQuerySet(models.QuerySet):
    """Records of one person take that person's visibility."""

    person_path = "person"

    def visible_to(self, user):
        return self.filter(
            **{f"{self.person_path}__in": Person.objects.visible_to(user).values("pk")}
        )

    def managed_by(self, user):
        return self.filter(
            **{f"{self.person_path}__in": Person.objects.managed_by(user).values("pk")}
        )


class SharedRecordQuerySet(models.QuerySet):
    """Records of several persons (proceedings, events).

    Visible to whoever may see at least one of their persons; which names a reader may see is
    decided per person, wherever they are shown. Their shared content (the record's own
    fields, a proceeding's hearings and participants, their citations) may be changed only by
    whoever may change *every* person they concern: otherwise a lawyer of one defendant could
    rewrite the case of a co-defendant they do not represent.
    """

    def _links(self):
        return self.model.persons.through.objects.filter(
            **{f"{self.model._meta.model_name}": OuterRef("pk")}
        )

    def _with_person_in(self, persons):
        return self.filter(Exists(self._links().filter(person__in=persons)))

    def visible_to(self, user):
        return self._with_person_in(Person.objects.visible_to(user).values("pk"))

    def managed_by(self, user):
        """Records the user may change: they manage every person the record concerns."""
        managed = Person.objects.managed_by(user)
        # Each linked person tested on their own: "not in every managed person" would read
        # all of them (every person, for an admin) to answer for one record.
        unmanaged = ~Exists(managed.filter(pk=OuterRef("person_id")))
        return self._with_person_in(managed.values("pk")).exclude(
            Exists(self._links().filter(unmanaged))
        )

    def with_person_managed_by(self, user):
        """Records that concern at least one person the user manages.

        Such a lawyer may add their own person's ruling to it, cite sources for that ruling
        and take their person off it, but not change what the record says for the others.
        """
        return self._with_person_in(Person.objects.managed_by(user).values("pk"))


class CaseRecord(DatedModel):
    """A fact of a case: it cites sources, and validates its approximate dates."""

    citations = GenericRelation("cases.Citation")

    class Meta:
        abstract = True

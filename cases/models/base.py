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
    """Records of several persons are visible to whoever may see at least one of them.

    Which names of the persons a reader may see is decided per person, wherever they are shown.
    """

    def _with_person_in(self, persons):
        through = self.model.persons.through
        link = through.objects.filter(
            **{f"{self.model._meta.model_name}": OuterRef("pk"), "person__in": persons}
        )
        return self.filter(Exists(link))

    def visible_to(self, user):
        return self._with_person_in(Person.objects.visible_to(user).values("pk"))

    def managed_by(self, user):
        return self._with_person_in(Person.objects.managed_by(user).values("pk"))


class CaseRecord(DatedModel):
    """A fact of a case: it cites sources, and validates its approximate dates."""

    citations = GenericRelation("cases.Citation")

    class Meta:
        abstract = True

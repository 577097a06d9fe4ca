from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        # The texts that name a person live in cases; the person forms ask for them here.
        from people.forms import NarrowingReview

        from .name_review import texts_naming

        NarrowingReview.finder = staticmethod(texts_naming)

        # The admin's read-only pages withhold hidden persons' names from typed text too.
        from casetracker.admin_names import NameWithholdingMixin

        from .masking import admin_masker

        NameWithholdingMixin.reader_masker = staticmethod(admin_masker)

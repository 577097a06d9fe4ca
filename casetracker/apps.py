from django.apps import AppConfig


class CasetrackerConfig(AppConfig):
    name = "casetracker"
    verbose_name = "Casetracker"

    def ready(self):
        from . import lookups

        lookups.register()

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


def on_sign_in(sender, request, user, **kwargs):
    # Imported here: the middleware modules import models, which are not ready at import time.
    from casetracker.idle_sessions import start_clock
    from casetracker.login_throttle import forgive_own_failures
    from casetracker.two_factor import sign_in_facts

    start_clock(request)
    sign_in_facts(request, user)
    forgive_own_failures(request, user)


class CasetrackerConfig(AppConfig):
    name = "casetracker"
    verbose_name = "Casetracker"

    def ready(self):
        # The session learns at sign-in what every page would otherwise query again.
        user_logged_in.connect(on_sign_in, dispatch_uid="casetracker.sign_in")

        from . import admin_lookups, lookups

        lookups.register()
        # After the admin's autodiscovery (django.contrib.admin is installed first).
        admin_lookups.enforce_on_site()

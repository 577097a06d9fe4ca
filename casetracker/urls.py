from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casetracker import two_factor_views
from casetracker.admin_view_on_site import guarded_view_on_site

# Only the account pages the product offers: no password reset, which needs mail.
account_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

two_factor_urlpatterns = (
    [
        path("", two_factor_views.verify, name="verify"),
        path("setup/", two_factor_views.setup, name="setup"),
        path("recovery-codes/", two_factor_views.recovery_codes, name="recovery-codes"),
    ],
    "two_factor",
)

urlpatterns = [
    # Before the admin's own shortcut at the same address (admin:view_on_site), which it guards.
    path("admin/r/<int:content_type_id>/<path:object_id>/", guarded_view_on_site),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urlpatterns)),
    path("accounts/two-factor/", include(two_factor_urlpatterns)),
    path("", include("cases.account_urls")),
    path("", include("cases.edit_urls")),
    path("", include("cases.report_urls")),
    path("", include("cases.urls")),
]

# Error pages (templates/403.html and the others): plain words and a way back.
handler403 = "casetracker.error_views.permission_denied"

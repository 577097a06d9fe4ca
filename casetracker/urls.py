from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cases.account_urls")),
    path("", include("cases.edit_urls")),
    path("", include("cases.report_urls")),
    path("", include("cases.urls")),
]

# Error pages (templates/403.html and the others): plain words and a way back.
handler403 = "casetracker.error_views.permission_denied"

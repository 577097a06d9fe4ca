from django.urls import path

from . import import_views, report_views

app_name = "reports"

# The export paths sit under /export/ so that none can be read as a person's /people/<ref>/.
urlpatterns = [
    path("reports/", report_views.reports, name="index"),
    path("reports/<slug:slug>.csv", report_views.table_csv, name="table-csv"),
    path("export/", report_views.export_page, name="export"),
    path("export/persons.csv", report_views.export_persons_csv, name="export-persons-csv"),
    path("export/entries.csv", report_views.export_entries_csv, name="export-entries-csv"),
    path("export/persons.xlsx", report_views.export_xlsx, name="export-xlsx"),
    path("export/persons.json", report_views.export_json, name="export-json"),
    path("import/", import_views.upload, name="import"),
    path("import/apply/", import_views.apply, name="import-apply"),
]

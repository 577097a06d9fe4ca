"""/reports/ with its CSV downloads, and the browser export of the directory's persons."""

import csv
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from people.access_log import AccessLogEntry, record_read
from people.models import Person

from .exports import (
    ExportScope,
    iter_csv,
    iter_json,
    person_rows,
    safe_cell,
    sheet_rows,
    write_xlsx,
)
from .filters import PersonFilter
from .reports import TABLES, DateRange, DateRangeForm, all_tables


def _date_range(request, report_errors=True):
    form = DateRangeForm(request.GET if request.GET else None)
    if form.is_bound and not form.is_valid():
        if report_errors:
            problems = " ".join(message for errors in form.errors.values() for message in errors)
            messages.error(
                request,
                _("The date range was not understood, so every date is counted: %(problems)s")
                % {"problems": problems},
            )
        return form, DateRange(), ""
    date_range = DateRange.from_form(form)
    params = {
        name: value.isoformat()
        for name, value in [("start", date_range.start), ("end", date_range.end)]
        if value
    }
    return form, date_range, urlencode(params)


def _log_report(request):
    """A report counts non-public persons: its log entry keeps how many, not who."""
    persons = Person.objects.visible_to(request.user)
    record_read(request, persons, AccessLogEntry.What.REPORT, count_only=True)


@login_required
def reports(request):
    form, date_range, query = _date_range(request)
    _log_report(request)
    context = {
        "form": form,
        "date_range": date_range,
        "tables": all_tables(request.user, date_range),
        "query": query,
    }
    return render(request, "cases/reports/index.html", context)


@login_required
def table_csv(request, slug):
    if slug not in TABLES:
        raise Http404
    _form, date_range, _query = _date_range(request, report_errors=False)
    table = TABLES[slug](request.user, date_range)
    _log_report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="casetracker-{slug}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(str(column)) for column in table.columns])
    # Labels such as a court's name are typed by people: never a formula in a spreadsheet.
    writer.writerows([safe_cell(value) for value in row] for row in table.rows)
    return response


# --- Browser export --------------------------------------------------------------------------


def _persons(request):
    """The directory's filtered persons, or None when no filter is set (everything)."""
    filterset = PersonFilter(request.GET, request=request)
    active = [name for name, _value in filterset.params() if name not in PersonFilter.NOT_FILTERS]
    return (filterset.qs if active else None), filterset


def _filename(extension, what="persons"):
    return f"casetracker-{what}-{timezone.localdate().isoformat()}.{extension}"


@login_required
def export_page(request):
    persons, filterset = _persons(request)
    scope = ExportScope.for_user(request.user, persons)
    query = urlencode(filterset.params())
    context = {
        "count": scope.persons.count(),
        "chips": filterset.chips(),
        "query": f"?{query}" if query else "",
    }
    return render(request, "cases/reports/export.html", context)


@login_required
def export_persons_csv(request):
    return _stream_csv(request, "persons")


@login_required
def export_entries_csv(request):
    return _stream_csv(request, "entries")


def _stream_csv(request, sheet):
    persons, _filterset = _persons(request)
    scope = ExportScope.for_user(request.user, persons)
    record_read(request, scope.persons, AccessLogEntry.What.EXPORT)
    rows = sheet_rows(sheet, scope) if sheet == "entries" else person_rows(scope)
    response = StreamingHttpResponse(iter_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv", sheet)}"'
    return response


@login_required
def export_xlsx(request):
    persons, _filterset = _persons(request)
    # A workbook is a zip file, written whole before it can be sent; it is spooled to disk.
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    scope = ExportScope.for_user(request.user, persons)
    record_read(request, scope.persons, AccessLogEntry.What.EXPORT)
    write_xlsx(scope, target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def export_json(request):
    persons, _filterset = _persons(request)
    scope = ExportScope.for_user(request.user, persons)
    record_read(request, scope.persons, AccessLogEntry.What.EXPORT)
    response = StreamingHttpResponse(
        iter_json(scope),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response

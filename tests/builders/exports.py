"""Excel exports the way a person gets them (PERF-1): the page redirects to an export job (the API
answers 202 with it), a worker runs it, and the file is downloaded from the job. Tests run the
job through the service the Celery task calls (``export_job_run``), not a mock of the worker."""
from __future__ import annotations

from urllib.parse import urlparse

from django.http import HttpResponse
from django.urls import resolve, reverse

from qsm.exports.models import ExportJob
from qsm.exports.services import export_job_run


def requested_job(response) -> ExportJob:
    """The job a page's redirect (302) or the API's answer (202) points to."""
    if response.status_code == 202:
        return ExportJob.objects.get(pk=response.json()["id"])
    assert response.status_code == 302, response.status_code
    match = resolve(urlparse(response["Location"]).path)
    assert match.view_name == "exports:job", match.view_name
    return ExportJob.objects.get(pk=match.kwargs["pk"])


def downloaded(response) -> HttpResponse:
    """A file response read whole (``.content``), with its headers."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    out = HttpResponse(body, status=response.status_code)
    for header, value in response.items():
        out[header] = value
    return out


def xlsx_export(client, url: str, params: dict | None = None) -> HttpResponse:
    """Ask for the Excel export at ``url`` with ``params``, run its job, download the file."""
    api = url.startswith("/api/")
    response = client.get(url, {**(params or {}), **({"format": "xlsx"} if api else {"fmt": "xlsx"})})
    job = requested_job(response)
    assert job.state == ExportJob.State.QUEUED
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE, job.error
    if api:
        state = client.get(response.json()["url"]).json()
        assert state["state"] == "done" and state["progress"] == 100
        file = downloaded(client.get(state["download_url"]))
    else:
        file = downloaded(client.get(reverse("exports:download", args=[job.pk])))
    forget_file(job)
    return file


def forget_file(job: ExportJob) -> None:
    """Delete a test's export file and its folder: leave nothing in the media folder."""
    import os

    path = job.file.path
    job.file.delete(save=False)
    try:
        os.rmdir(os.path.dirname(path))
    except OSError:
        pass

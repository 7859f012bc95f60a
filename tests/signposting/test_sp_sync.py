"""Feed sync over httpx.MockTransport: paging, failures, retries, incremental sync. No network."""

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from plugins.signposting import sync
from plugins.signposting.sync import FeedError, RetryPolicy

OPENREFERRAL = Path(__file__).resolve().parents[1] / "fixtures" / "openreferral"
BASE = "https://feed.example/api"
TODAY = dt.date(2026, 11, 22)


def v1_page(number: int, total_pages: int, per_page: int = 2, *, last: bool | None = None) -> dict:
    items = [
        {"id": f"svc-{number}-{i}", "name": f"Service {number}.{i}", "status": "active", "assured_date": "2026-11-01"}
        for i in range(per_page)
    ]
    page = {
        "totalElements": total_pages * per_page, "totalPages": total_pages, "number": number,
        "size": per_page, "first": number == 1, "empty": False, "content": items,
    }
    page["last"] = (number == total_pages) if last is None else last
    return page


class Recorder:
    """A MockTransport handler that records requests and answers from a function."""

    def __init__(self, answer):
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request, len(self.requests))

    def pages_asked(self) -> list[int]:
        return [int(r.url.params["page"]) for r in self.requests if "page" in r.url.params]


def client_for(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def no_sleep(log: list | None = None):
    return (lambda seconds: log.append(seconds)) if log is not None else (lambda seconds: None)


def test_pages_to_the_end_using_the_last_flag():
    recorder = Recorder(lambda req, n: httpx.Response(200, json=v1_page(int(req.url.params["page"]), 3)))
    pages = list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY))
    assert [p.number for p in pages] == [1, 2, 3]
    assert [s.source_id for p in pages for s in p.result.services][-1] == "svc-3-1"
    request = recorder.requests[0]
    assert request.url.path == "/api/services"
    assert request.url.params["per_page"] == "50"
    assert "modified_after" not in request.url.params


def test_last_flag_beats_a_wrong_total_pages():
    # The ORUK docs' own example has a wrong totalPages: trust "last" and the empty page.
    def answer(req, n):
        number = int(req.url.params["page"])
        page = v1_page(number, 1, last=False)
        if number >= 3:
            page.update(content=[], empty=True)
        return httpx.Response(200, json=page)

    recorder = Recorder(answer)
    pages = list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY))
    assert recorder.pages_asked() == [1, 2, 3]
    assert sum(len(p.result.services) for p in pages) == 4


def test_total_pages_used_only_when_no_last_flag():
    def answer(req, n):
        page = v1_page(int(req.url.params["page"]), 2)
        del page["last"]
        return httpx.Response(200, json=page)

    recorder = Recorder(answer)
    list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY))
    assert recorder.pages_asked() == [1, 2]


def test_hsds3_paging_with_last_page():
    def answer(req, n):
        number = int(req.url.params["page"])
        return httpx.Response(200, json={
            "total_items": 4, "total_pages": 2, "page_number": number, "size": 2,
            "first_page": number == 1, "last_page": number == 2, "empty": False,
            "contents": [{"id": f"h{number}{i}", "name": "S", "status": "active"} for i in range(2)],
        })

    pages = list(sync.iter_service_pages(client_for(Recorder(answer)), BASE, source="h", sleep=no_sleep(), today=TODAY))
    assert [p.result.format for p in pages] == ["hsds-3", "hsds-3"]
    assert len(pages) == 2


def test_failure_on_page_3_after_pages_1_and_2_were_yielded():
    def answer(req, n):
        number = int(req.url.params["page"])
        if number == 3:
            return httpx.Response(500, text="Internal Server Error")
        return httpx.Response(200, json=v1_page(number, 5))

    recorder = Recorder(answer)
    received = []
    with pytest.raises(FeedError) as failure:
        for page in sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY):
            received.append(page.number)
    assert received == [1, 2]
    assert failure.value.page == 3
    assert failure.value.status == 500
    assert failure.value.attempts == 4
    assert str(failure.value) == "HTTP 500 after 4 attempts (page 3)"
    assert recorder.pages_asked() == [1, 2, 3, 3, 3, 3]


def test_sync_feed_reports_a_partial_sync_without_raising():
    def answer(req, n):
        number = int(req.url.params["page"])
        if number == 3:
            raise httpx.ConnectError("network is unreachable", request=req)
        return httpx.Response(200, json=v1_page(number, 5))

    moments = iter([dt.datetime(2026, 11, 22, 10, 0), dt.datetime(2026, 11, 22, 10, 1)])
    outcome = sync.sync_feed(
        client_for(Recorder(answer)), BASE, source="b", sleep=no_sleep(), today=TODAY, clock=lambda: next(moments)
    )
    assert not outcome.complete
    assert outcome.pages == 2 and len(outcome.services) == 4
    assert outcome.error.page == 3 and "could not connect" in outcome.error.message
    assert outcome.finished_at == dt.datetime(2026, 11, 22, 10, 1)
    assert outcome.summary().startswith("b: 4 services from 2 page(s), 0 skipped, 0 warnings; INCOMPLETE")


def test_retries_with_exponential_backoff_then_succeeds():
    def answer(req, n):
        if n <= 2:
            return httpx.Response(503)
        return httpx.Response(200, json=v1_page(1, 1))

    waits: list[float] = []
    policy = RetryPolicy(attempts=4, backoff_seconds=0.5)
    pages = list(sync.iter_service_pages(client_for(Recorder(answer)), BASE, source="b", retry=policy, sleep=no_sleep(waits), today=TODAY))
    assert len(pages) == 1
    assert waits == [0.5, 1.0]


def test_retry_after_header_and_timeouts_are_retried():
    def answer(req, n):
        if n == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        if n == 2:
            raise httpx.ReadTimeout("slow", request=req)
        return httpx.Response(200, json=v1_page(1, 1))

    waits: list[float] = []
    policy = RetryPolicy(attempts=3, backoff_seconds=1.0)
    list(sync.iter_service_pages(client_for(Recorder(answer)), BASE, source="b", retry=policy, sleep=no_sleep(waits), today=TODAY))
    assert waits == [7.0, 2.0]


def test_backoff_is_capped():
    assert RetryPolicy(backoff_seconds=10, max_backoff_seconds=30).delay(5) == 30
    assert RetryPolicy(max_backoff_seconds=30).delay(1, retry_after="3600") == 30


def test_client_errors_are_not_retried():
    recorder = Recorder(lambda req, n: httpx.Response(404))
    with pytest.raises(FeedError) as failure:
        list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY))
    assert len(recorder.requests) == 1
    assert failure.value.status == 404 and failure.value.page == 1


def test_html_instead_of_json_is_an_error():
    recorder = Recorder(lambda req, n: httpx.Response(200, text="<html>Maintenance</html>"))
    with pytest.raises(FeedError, match="not JSON"):
        list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY))


def test_feed_that_ignores_the_page_parameter_is_stopped():
    recorder = Recorder(lambda req, n: httpx.Response(200, json=v1_page(1, 9, last=False)))
    with pytest.raises(FeedError, match="same page twice"):
        list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), today=TODAY))
    assert recorder.pages_asked() == [1, 2]


def test_max_pages_guard():
    recorder = Recorder(lambda req, n: httpx.Response(200, json=v1_page(int(req.url.params["page"]), 99, last=False)))
    with pytest.raises(FeedError, match="stopped after 3 pages"):
        list(sync.iter_service_pages(client_for(recorder), BASE, source="b", sleep=no_sleep(), max_pages=3, today=TODAY))


def test_timeout_is_passed_on_every_request():
    seen = []

    def answer(req, n):
        seen.append(req.extensions.get("timeout"))
        return httpx.Response(200, json=v1_page(1, 1))

    list(sync.iter_service_pages(client_for(Recorder(answer)), BASE, source="b", sleep=no_sleep(), timeout=httpx.Timeout(5.0), today=TODAY))
    assert seen[0]["read"] == 5.0


def openapi_with(parameter_names):
    return {"openapi": "3.1.0", "paths": {"/services": {"get": {"parameters": [{"name": n, "in": "query"} for n in parameter_names]}}}}


def hsds3_feed(parameter_names):
    def answer(req, n):
        if req.url.path == "/api/":
            return httpx.Response(200, json={"version": "3.0", "profile": "https://openreferral.org", "openapi_url": "openapi.json"})
        if req.url.path == "/api/openapi.json":
            return httpx.Response(200, json=openapi_with(parameter_names))
        return httpx.Response(200, json={"contents": [], "total_items": 0, "last_page": True, "page_number": 1})

    return Recorder(answer)


def test_modified_after_is_sent_when_the_feed_offers_it():
    recorder = hsds3_feed(["page", "per_page", "modified_after"])
    since = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.timezone.utc)
    outcome = sync.sync_feed(client_for(recorder), BASE, source="h", modified_after=since, sleep=no_sleep(), today=TODAY)
    services_request = [r for r in recorder.requests if r.url.path == "/api/services"][0]
    assert services_request.url.params["modified_after"] == "2026-11-01T00:00:00+00:00"
    assert outcome.incremental and outcome.complete


def test_modified_after_is_not_sent_when_not_offered():
    recorder = hsds3_feed(["page", "per_page"])
    outcome = sync.sync_feed(client_for(recorder), BASE, source="h", modified_after=dt.datetime(2026, 11, 1), sleep=no_sleep(), today=TODAY)
    services_request = [r for r in recorder.requests if r.url.path == "/api/services"][0]
    assert "modified_after" not in services_request.url.params
    assert not outcome.incremental


def test_detect_api_on_a_v1_feed_without_root_endpoint():
    api = sync.detect_api(client_for(Recorder(lambda req, n: httpx.Response(404))), BASE, sleep=no_sleep())
    assert api.format is None and not api.supports_modified_after


def test_detect_api_follows_parameter_refs():
    spec = {
        "paths": {"/services": {"get": {"parameters": [{"$ref": "#/components/parameters/modified_after"}]}}},
        "components": {"parameters": {"modified_after": {"name": "modified_after", "in": "query"}}},
    }

    def answer(req, n):
        if req.url.path == "/api/":
            return httpx.Response(200, json={"version": "3.0", "openapi_url": "https://feed.example/spec.json"})
        return httpx.Response(200, json=spec)

    api = sync.detect_api(client_for(Recorder(answer)), BASE, sleep=no_sleep())
    assert api.format == "hsds-3" and api.supports_modified_after


def test_fetch_details_replaces_list_items_and_survives_a_failed_detail():
    full = json.loads((OPENREFERRAL / "hsds-3.0/service_full.json").read_text())

    def answer(req, n):
        if req.url.path == "/api/services":
            return httpx.Response(200, json={"contents": [{"id": full["id"], "name": "x", "status": "active"}, {"id": "gone", "name": "y", "status": "active"}], "last_page": True})
        if req.url.path.endswith(full["id"]):
            return httpx.Response(200, json=full)
        return httpx.Response(404)

    outcome = sync.sync_feed(client_for(Recorder(answer)), BASE, source="m", fetch_details=True, sleep=no_sleep(), today=TODAY)
    assert outcome.complete
    detailed, kept = outcome.services
    assert detailed.name == "Community Counselling" and detailed.service_at_locations
    assert kept.name == "y" and any("full details could not be fetched" in w for w in kept.warnings)


def test_datapackage_over_http_from_the_fixture_files():
    folder = OPENREFERRAL / "hsds-3.0/csv"

    def answer(req, n):
        name = req.url.path.rsplit("/", 1)[-1]
        path = folder / name
        if not path.exists():
            return httpx.Response(404)
        return httpx.Response(200, content=path.read_bytes())

    outcome = sync.sync_datapackage(client_for(Recorder(answer)), "https://data.example/hsds/datapackage.json", source="csv", sleep=no_sleep(), today=TODAY)
    assert outcome.complete
    assert [s.name for s in outcome.services] == ["Community Counselling"]
    assert outcome.warning_count > 5


def test_govuk_bank_holidays_fetch():
    body = {n: {"division": n, "events": [{"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": True}]}
            for n in ("england-and-wales", "scotland", "northern-ireland")}
    calendar = sync.fetch_govuk_bank_holidays(client_for(Recorder(lambda req, n: httpx.Response(200, json=body))), sleep=no_sleep())
    assert calendar.holiday_on(dt.date(2029, 1, 1), "scotland").title == "New Year’s Day"


def test_make_client_sets_timeout_and_user_agent():
    with sync.make_client() as client:
        assert client.timeout.read == 20.0 and client.timeout.connect == 10.0
        assert client.headers["User-Agent"].startswith("drop-in-hub")

"""The sync writer over httpx.MockTransport and local files: failures never damage what is stored. No network."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from plugins.signposting import store
from plugins.signposting.sources import ApiFeedSource, Batch, DataPackageSource, FetchContext, LocalFileSource, Source, SourceError
from sptest import OPENREFERRAL, TODAY, make_service, signposting_hub

BASE = "https://feed.example/api"


def v1_page(number: int, total_pages: int, names: dict[str, str] | None = None, per_page: int = 2) -> dict:
    names = names or {}
    items = []
    for i in range(per_page):
        service_id = f"svc-{number}-{i}"
        items.append({"id": service_id, "name": names.get(service_id, f"Service {number}.{i}"), "status": "active",
                      "assured_date": "2026-11-01"})
    return {"totalElements": total_pages * per_page, "totalPages": total_pages, "number": number, "size": per_page,
            "first": number == 1, "last": number == total_pages, "empty": False, "content": items}


class Feed:
    """A fake ORUK v1 feed: ``pages`` maps a page number to a JSON body, or to an HTTP status to fail with."""

    def __init__(self, pages: dict[int, object]):
        self.pages = pages
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.pages.get(int(request.url.params.get("page", 1)), {"content": [], "last": True})
        if isinstance(answer, int):
            return httpx.Response(answer, text="server error")
        return httpx.Response(200, json=answer)


def context_for(handler) -> FetchContext:
    return FetchContext(
        today=TODAY,
        client_factory=lambda **kwargs: httpx.Client(transport=httpx.MockTransport(handler), **kwargs),
        sleep=lambda seconds: None,
    )


def clock_from(start: dt.datetime):
    ticks = iter(start + dt.timedelta(seconds=i) for i in range(10_000))
    return lambda: next(ticks)


@pytest.fixture
def hub(hub_factory):
    return signposting_hub(hub_factory)


def stored(hub) -> dict[str, str]:
    return dict(hub.db.execute("select key, name from directory_services order by key").fetchall())


def test_a_complete_sync_stores_every_page_and_records_the_last_good_sync(hub):
    feed = Feed({1: v1_page(1, 3), 2: v1_page(2, 3), 3: v1_page(3, 3)})
    source = ApiFeedSource("city", BASE, label="City Council")
    report = store.sync_source(hub.db, source, context=context_for(feed), clock=clock_from(dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc)))
    assert report.complete and report.error is None
    assert (report.batches, report.received, report.added) == (3, 6, 6)
    assert len(stored(hub)) == 6
    assert store.last_good_sync(hub.db, "city") == dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc)
    [status] = store.sync_status(hub.db)
    assert status.label == "City Council" and status.services == 6 and status.last_attempt_complete is True
    assert status.location == BASE


def test_a_sync_that_fails_on_page_3_keeps_earlier_pages_and_everything_stored(hub):
    first = Feed({1: v1_page(1, 3), 2: v1_page(2, 3), 3: v1_page(3, 3)})
    source = ApiFeedSource("city", BASE)
    store.sync_source(hub.db, source, context=context_for(first), clock=clock_from(dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)))
    before_good = store.last_good_sync(hub.db, "city")

    renamed = {"svc-1-0": "Renamed on page 1", "svc-2-1": "Renamed on page 2"}
    # Page 3 answers 503 on every try (4 attempts), and page 4 would have been empty.
    failing = Feed({1: v1_page(1, 3, renamed), 2: v1_page(2, 3, renamed), 3: 503})
    report = store.sync_source(hub.db, source, context=context_for(failing), clock=clock_from(dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc)))

    assert not report.complete
    assert "page 3" in report.error and "503" in report.error
    assert (report.batches, report.updated, report.unchanged, report.removed) == (2, 2, 2, 0)
    names = stored(hub)
    assert len(names) == 6  # page 3's services were not removed
    assert names["city:svc-1-0"] == "Renamed on page 1" and names["city:svc-2-1"] == "Renamed on page 2"
    assert names["city:svc-3-0"] == "Service 3.0"
    assert store.last_good_sync(hub.db, "city") == before_good  # not moved by a failed sync
    [status] = store.sync_status(hub.db)
    assert status.last_attempt_complete is False and "page 3" in status.last_error
    assert "did not finish" in status.describe()
    assert "INCOMPLETE" in report.summary() and "kept" in report.summary()


def test_only_a_complete_full_sync_removes_listings_the_feed_dropped(hub):
    source = ApiFeedSource("city", BASE)
    store.sync_source(hub.db, source, context=context_for(Feed({1: v1_page(1, 2), 2: v1_page(2, 2)})))
    assert len(stored(hub)) == 4
    report = store.sync_source(hub.db, source, context=context_for(Feed({1: {**v1_page(1, 1), "last": True}})))
    assert report.complete and report.removed == 2
    assert set(stored(hub)) == {"city:svc-1-0", "city:svc-1-1"}
    # Their locations, schedules and needs went with them.
    assert hub.db.execute("select count(*) from directory_service_needs where service_id not in (select id from directory_services)").fetchone()[0] == 0


def test_an_empty_answer_never_wipes_a_source(hub):
    source = ApiFeedSource("city", BASE)
    store.sync_source(hub.db, source, context=context_for(Feed({1: v1_page(1, 1)})))
    report = store.sync_source(hub.db, source, context=context_for(Feed({1: {"content": [], "last": True, "totalElements": 0}})))
    assert report.complete and report.removed == 0
    assert len(stored(hub)) == 2
    assert "hub directory forget city" in report.notes[0]


def test_bad_records_are_skipped_and_counted_with_reasons_and_keep_their_last_good_copy(hub):
    source = ApiFeedSource("city", BASE)
    store.sync_source(hub.db, source, context=context_for(Feed({1: v1_page(1, 1)})))
    page = v1_page(1, 1)
    page["content"][0]["name"] = ""  # svc-1-0 arrives broken this time
    page["content"].append({"name": "No id at all"})
    page["content"].append({"id": "svc-1-1", "name": "Same id twice on a page"})
    report = store.sync_source(hub.db, source, context=context_for(Feed({1: page})))
    assert report.complete
    assert report.skipped_reasons() == {"no name": 1, "no id": 1, "duplicate id": 1}
    assert set(stored(hub)) == {"city:svc-1-0", "city:svc-1-1"}  # the broken one was not deleted
    run = store.sync_status(hub.db)[0].last_run
    assert run["skipped"] == 3 and run["skipped_reasons"]["no id"] == 1
    assert {r["reason"] for r in store.skipped_records(hub.db, run["id"])} == {"no name", "no id", "duplicate id"}


class ListSource(Source):
    """A plugin-style source yielding whatever batches a test gives it, then optionally failing."""

    kind = "test"

    def __init__(self, name: str, batches: list, error: Exception | None = None):
        self.name, self.label, self.batches, self.error = name, f"{name} list", batches, error

    def fetch(self, context):
        yield from self.batches
        if self.error:
            raise self.error


def test_records_that_belong_to_another_source_or_are_not_services_are_refused(hub):
    store.write_services(hub.db, [make_service("1", "Someone else's", source="other")])
    batches = [Batch([make_service("1", "Overwrite attempt", source="other"), "not a service",
                      make_service("2", "Mine", source="mine")]),
               Batch([make_service("2", "Mine again", source="mine")])]
    report = store.sync_source(hub.db, ListSource("mine", batches))
    reasons = report.skipped_reasons()
    assert reasons["its source is 'other', not 'mine'"] == 1
    assert reasons["not a Service record (str)"] == 1
    assert reasons["duplicate id (already received in this sync)"] == 1
    assert stored(hub) == {"mine:2": "Mine", "other:1": "Someone else's"}


def test_a_source_that_raises_is_reported_without_a_traceback_and_keeps_its_batches(hub):
    source = ListSource("mine", [Batch([make_service("1", "First", source="mine")])], error=ValueError("bad row 7"))
    progress = []
    report = store.sync_source(hub.db, source, progress=lambda r: progress.append(r.received))
    assert not report.complete and report.error == "ValueError: bad row 7"
    assert progress == [1]
    assert stored(hub) == {"mine:1": "First"}


def test_a_source_name_with_a_colon_is_refused(hub):
    report = store.sync_source(hub.db, ListSource("a:b", []))
    assert not report.complete and "without ':'" in report.error


# -- incremental syncs (HSDS 3.0 modified_after) ---------------------------------------------


def hsds3_feed(services_pages, offers_modified_after=True):
    requests = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path == "/api/":
            return httpx.Response(200, json={"version": "3.0", "openapi_url": "openapi.json"})
        if request.url.path == "/api/openapi.json":
            names = ["page", "per_page"] + (["modified_after"] if offers_modified_after else [])
            return httpx.Response(200, json={"paths": {"/services": {"get": {"parameters": [{"name": n} for n in names]}}}})
        page = int(request.url.params.get("page", 1))
        items = services_pages(request)[page - 1] if page <= len(services_pages(request)) else []
        return httpx.Response(200, json={"contents": items, "page_number": page, "total_pages": len(services_pages(request)),
                                         "last_page": page >= len(services_pages(request)), "total_items": 0})

    answer.requests = requests
    return answer


def test_incremental_sync_asks_for_changes_since_the_last_good_sync_and_deletes_nothing(hub):
    everything = [[{"id": "a", "name": "Alpha", "status": "active"}, {"id": "b", "name": "Beta", "status": "active"}]]
    changes = [[{"id": "b", "name": "Beta (moved)", "status": "active"}]]
    feed = hsds3_feed(lambda request: changes if "modified_after" in request.url.params else everything)
    source = ApiFeedSource("h3", BASE, kind="hsds3")
    first = store.sync_source(hub.db, source, context=context_for(feed), clock=clock_from(dt.datetime(2026, 11, 20, 8, tzinfo=dt.timezone.utc)))
    assert first.complete and not first.incremental
    assert "full" in feed.requests[0].url.params  # HSDS 3.0 lists are asked for nested sites and hours

    second = store.sync_source(hub.db, source, context=context_for(feed), clock=clock_from(dt.datetime(2026, 11, 21, 8, tzinfo=dt.timezone.utc)))
    assert second.complete and second.incremental and second.removed == 0
    sent = [r.url.params["modified_after"] for r in feed.requests if "modified_after" in r.url.params]
    assert sent == ["2026-11-20T08:00:00+00:00"]
    assert stored(hub) == {"h3:a": "Alpha", "h3:b": "Beta (moved)"}
    assert "changes only" in second.notes[0]

    full = store.sync_source(hub.db, source, context=context_for(hsds3_feed(lambda request: changes)), full=True)
    assert not full.incremental and full.removed == 1  # a full sync may remove what is gone


def test_a_feed_without_modified_after_always_gets_a_full_sync(hub):
    feed = hsds3_feed(lambda request: [[{"id": "a", "name": "Alpha", "status": "active"}]], offers_modified_after=False)
    source = ApiFeedSource("h3", BASE, kind="hsds3")
    store.sync_source(hub.db, source, context=context_for(feed))
    report = store.sync_source(hub.db, source, context=context_for(feed))
    assert not report.incremental
    assert not [r for r in feed.requests if "modified_after" in r.url.params]


def test_the_api_key_is_sent_in_its_header_and_never_shown(hub):
    feed = Feed({1: v1_page(1, 1)})
    source = ApiFeedSource("city", BASE, api_key="s3cret-key", api_key_header="X-Directory-Key")
    store.sync_source(hub.db, source, context=context_for(feed))
    assert feed.requests[0].headers["X-Directory-Key"] == "s3cret-key"
    assert "s3cret" not in repr(source) and "s3cret" not in source.describe()
    assert "s3cret" not in str(store.sync_status(hub.db)[0].to_dict())


# -- file sources ---------------------------------------------------------------------------


def test_the_hsds_data_package_fixture_syncs_with_its_defects_flagged(hub):
    source = DataPackageSource("csv", OPENREFERRAL / "hsds-3.0" / "csv", label="HSDS example")
    report = store.sync_source(hub.db, source, context=FetchContext(today=TODAY))
    assert report.complete and report.added == 1
    assert report.warning_count > 0  # latitude 100, "ABC 1234", expired hours ... are flagged, not fatal


def test_a_missing_data_package_folder_is_a_clear_error(hub, tmp_path):
    report = store.sync_source(hub.db, DataPackageSource("csv", tmp_path / "nope"))
    assert not report.complete and "does not exist" in report.error


def test_a_broken_local_file_keeps_the_list_already_loaded(hub, tmp_path):
    path = tmp_path / "local.toml"
    path.write_text('[[service]]\nid = "pantry"\nname = "Pantry"\nlast_checked = 2026-11-01\n')
    source = LocalFileSource(path)
    assert store.sync_source(hub.db, source, context=FetchContext(today=TODAY)).complete
    path.write_text('[[service]]\nname = "Pantry\n')  # unterminated string
    report = store.sync_source(hub.db, source, context=FetchContext(today=TODAY))
    assert not report.complete and "could not be read" in report.error and "line" in report.error
    assert stored(hub) == {"local:pantry": "Pantry"}


def test_removing_an_entry_from_the_local_file_removes_it_from_the_directory(hub, tmp_path):
    path = tmp_path / "local.toml"
    path.write_text('[[service]]\nid = "a"\nname = "A"\n[[service]]\nid = "b"\nname = "B"\n')
    source = LocalFileSource(path)
    store.sync_source(hub.db, source, context=FetchContext(today=TODAY))
    path.write_text('[[service]]\nid = "a"\nname = "A"\n')
    report = store.sync_source(hub.db, source, context=FetchContext(today=TODAY))
    assert report.removed == 1 and stored(hub) == {"local:a": "A"}


def test_source_error_messages_are_kept_as_written(hub):
    report = store.sync_source(hub.db, ListSource("mine", [], error=SourceError("the spreadsheet has no Name column")))
    assert report.error == "the spreadsheet has no Name column"


def test_an_unchanged_record_is_not_parsed_again_and_a_complete_sync_keeps_it(hub, monkeypatch):
    from plugins.signposting import sync

    feed = Feed({1: v1_page(1, 2), 2: v1_page(2, 2)})
    source = ApiFeedSource("city", BASE)
    first = store.sync_source(hub.db, source, context=context_for(feed))
    assert first.added == 4 and len(store.known_hashes(hub.db, "city")) == 4

    parsed: list[int] = []
    real_parse = sync.parse_page

    def counting_parse(payload, *args, **kwargs):
        parsed.append(len(payload.get("content", [])))
        return real_parse(payload, *args, **kwargs)

    monkeypatch.setattr(sync, "parse_page", counting_parse)
    feed.pages[2] = v1_page(2, 2, names={"svc-2-1": "Renamed Service"})
    again = store.sync_source(hub.db, source, context=context_for(feed), full=True)
    assert again.complete and (again.received, again.unchanged, again.updated, again.removed) == (4, 3, 1, 0)
    assert parsed == [0, 1]  # page 1: nothing parsed; page 2: only the changed record
    assert stored(hub)["city:svc-2-1"] == "Renamed Service" and len(stored(hub)) == 4
    # A record dropped by the feed is still removed after a complete sync.
    feed.pages[2] = {**v1_page(2, 2), "content": v1_page(2, 2)["content"][:1]}
    assert store.sync_source(hub.db, source, context=context_for(feed), full=True).removed == 1

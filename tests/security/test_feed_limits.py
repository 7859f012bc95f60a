"""Bounded fetching against a hostile feed on loopback: byte cap after decompression (streamed),
per-request and per-sync deadlines, a page cap, same-origin redirects only; every limit named in
the sync report, and the listings stored before kept."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest

from hostile_feed import HostileFeedServer, gzip_bomb, v1_page
from hubtest import make_hub
from plugins.signposting import store
from plugins.signposting.fetch import FeedError, FetchLimits, get_json, make_client
from plugins.signposting.sources import ApiFeedSource, FetchContext
from plugins.signposting.sync import iter_service_pages

MB = 1024 * 1024
NO_RETRY_SLEEP = lambda seconds: None  # noqa: E731


def client(**kwargs):
    return make_client(trust_env=False, **kwargs)  # loopback only: never a proxy from the environment


def context() -> FetchContext:
    return FetchContext(client_factory=lambda **kw: client(**kw), sleep=NO_RETRY_SLEEP, today=dt.date(2026, 11, 22))


@pytest.fixture
def server():
    with HostileFeedServer() as running:
        yield running


def _directory_db(tmp_path):
    import plugins.signposting as signposting

    hub = make_hub(tmp_path, ("signposting", signposting))
    hub.open_storage()
    return hub


# -- size ------------------------------------------------------------------------------------


def test_gzip_bomb_stops_at_the_cap_without_growing_memory(server):
    bomb = gzip_bomb(200 * MB)
    assert len(bomb) < MB  # a small download...
    server.route("/services", lambda r: r.send(200, bomb, {"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with client() as http, pytest.raises(FeedError) as stopped:
            get_json(http, server.url + "/services", limits=FetchLimits(max_response_bytes=2 * MB), sleep=NO_RETRY_SLEEP)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stopped.value.limit == "size"
    assert "2 MB" in str(stopped.value) and "size limit" in str(stopped.value)
    assert peak < 16 * MB, f"memory grew to {peak / MB:.0f} MB while reading a bomb"  # ...that expands to 200 MB


def test_a_bomb_within_the_default_limit_is_also_stopped(server):
    server.route("/services", lambda r: r.send(200, gzip_bomb(60 * MB), {"Content-Encoding": "gzip"}))
    with client() as http, pytest.raises(FeedError) as stopped:
        get_json(http, server.url + "/services", sleep=NO_RETRY_SLEEP)
    assert stopped.value.limit == "size"  # the default cap is 25 MB


def test_a_huge_page_without_a_length_is_cut_off_while_streaming(server):
    chunks = (b" " * 65536 for _ in range(20 * 16))  # up to 20 MB, no Content-Length
    server.route("/services", lambda r: r.stream(chunks))
    with client() as http, pytest.raises(FeedError) as stopped:
        get_json(http, server.url + "/services", limits=FetchLimits(max_response_bytes=MB), sleep=NO_RETRY_SLEEP)
    assert stopped.value.limit == "size"


def test_a_declared_300_mb_page_is_refused_before_reading(server):
    server.route("/services", lambda r: r.stream([b"{}"], headers={"Content-Length": str(300 * MB)}))
    with client() as http, pytest.raises(FeedError) as stopped:
        get_json(http, server.url + "/services", sleep=NO_RETRY_SLEEP)
    assert stopped.value.limit == "size"


# -- time ------------------------------------------------------------------------------------


def test_slow_loris_is_cut_off_by_the_request_deadline(server):
    trickle = (b" " for _ in range(400))  # one byte every 50 ms: 20 s if let run
    server.route("/services", lambda r: r.stream(trickle, delay=0.05))
    with client() as http, pytest.raises(FeedError) as stopped:
        get_json(http, server.url + "/services", limits=FetchLimits(page_seconds=1.0), sleep=NO_RETRY_SLEEP)
    assert stopped.value.limit == "page-deadline"
    assert "page_timeout_seconds" in str(stopped.value)


def test_a_feed_slow_on_every_page_is_stopped_by_the_sync_deadline(server):
    def slow_page(request):
        number = int(request.query.get("page", 1))
        body = repr(v1_page(number, [f"p{number}"], last=False)).replace("'", '"').replace("False", "false").replace("True", "true")
        request.stream((body[i:i + 8].encode() for i in range(0, len(body), 8)), delay=0.02)

    server.route("/services", slow_page)
    limits = FetchLimits(page_seconds=30, sync_seconds=1.5)
    with client() as http, pytest.raises(FeedError) as stopped:
        for _page in iter_service_pages(http, server.url, source="slow", limits=limits, sleep=NO_RETRY_SLEEP):
            pass
    assert stopped.value.limit == "sync-deadline"


# -- pages -----------------------------------------------------------------------------------


def test_endless_feed_stops_at_the_page_cap_and_keeps_what_it_stored(server, tmp_path):
    def endless(request):
        number = int(request.query.get("page", 1))
        request.json(v1_page(number, [f"s{number}a", f"s{number}b"], last=False))

    server.route("/services", endless)
    hub = _directory_db(tmp_path)
    try:
        source = ApiFeedSource("endless", server.url, kind="oruk_v1", limits=FetchLimits(max_pages=4))
        report = store.sync_source(hub.db, source, context=context())
        assert not report.complete
        assert "page limit" in report.error and "max_pages" in report.error
        assert store.count_services(hub.db, "endless") == 8  # four pages of two, kept
        assert "stored listings were kept" in report.summary()
    finally:
        hub.close()


def test_a_limit_part_way_keeps_the_earlier_listings_and_names_the_limit(server, tmp_path):
    state = {"hostile": False}

    def feed(request):
        number = int(request.query.get("page", 1))
        if state["hostile"] and number == 2:
            request.send(200, gzip_bomb(50 * MB), {"Content-Encoding": "gzip"})
        else:
            request.json(v1_page(number, [f"s{number}"], last=number == 2))

    server.route("/services", feed)
    hub = _directory_db(tmp_path)
    try:
        source = ApiFeedSource("council", server.url, kind="oruk_v1", limits=FetchLimits(max_response_bytes=MB))
        assert store.sync_source(hub.db, source, context=context()).complete
        assert store.count_services(hub.db, "council") == 2
        state["hostile"] = True
        report = store.sync_source(hub.db, source, context=context(), full=True)
        assert not report.complete and "size limit" in report.error and "page 2" in report.error
        assert store.count_services(hub.db, "council") == 2  # nothing removed, page 1 refreshed
        assert store.get_service(hub.db, "council:s2") is not None
    finally:
        hub.close()


# -- redirects -------------------------------------------------------------------------------


def test_cross_origin_redirect_is_not_followed_and_the_key_never_leaves(tmp_path):
    with HostileFeedServer() as feed, HostileFeedServer() as elsewhere:
        feed.route("/services", lambda r: r.redirect(elsewhere.url + "/services?page=1"))
        elsewhere.route("/services", lambda r: r.json(v1_page(1, ["stolen"], last=True)))
        hub = _directory_db(tmp_path)
        try:
            source = ApiFeedSource("council", feed.url, kind="oruk_v1", api_key="secret-key-123")
            report = store.sync_source(hub.db, source, context=context())
            assert not report.complete and "another site" in report.error and "redirect rule" in report.error
            assert elsewhere.requests == []  # never asked: no key, no listings
            assert feed.requests[0][2].get("X-API-Key") == "secret-key-123"
            assert store.count_services(hub.db, "council") == 0
            assert "secret-key-123" not in report.summary()
        finally:
            hub.close()


def test_http_to_https_on_the_same_host_counts_as_another_origin(server):
    server.route("/services", lambda r: r.redirect(server.url.replace("http://", "https://") + "/services"))
    with client() as http, pytest.raises(FeedError) as stopped:
        get_json(http, server.url + "/services", sleep=NO_RETRY_SLEEP)
    assert stopped.value.limit == "redirect"


def test_same_origin_redirect_is_followed_with_the_key(server, tmp_path):
    server.route("/services", lambda r: r.redirect("/v2/services?" + "&".join(f"{k}={v}" for k, v in r.query.items())))
    server.route("/v2/services", lambda r: r.json(v1_page(1, ["a", "b"], last=True)))
    hub = _directory_db(tmp_path)
    try:
        source = ApiFeedSource("council", server.url, kind="oruk_v1", api_key="k-1")
        report = store.sync_source(hub.db, source, context=context())
        assert report.complete, report.error
        assert store.count_services(hub.db, "council") == 2
        followed = [headers for path, _query, headers in server.requests if path == "/v2/services"]
        assert followed and followed[0].get("X-API-Key") == "k-1"
    finally:
        hub.close()


def test_redirect_loops_stop_at_the_redirect_limit(server):
    server.route("/services", lambda r: r.redirect("/services"))
    with client() as http, pytest.raises(FeedError) as stopped:
        get_json(http, server.url + "/services", sleep=NO_RETRY_SLEEP)
    assert stopped.value.limit == "redirect" and "more than 5 redirects" in str(stopped.value)


# -- settings --------------------------------------------------------------------------------


def test_limits_are_set_per_feed_in_the_site_file(tmp_path):
    from plugins.signposting.settings import FeedSettings, SignpostingSettings
    from plugins.signposting.sources import sources_from_settings

    settings = SignpostingSettings(feeds=[FeedSettings(
        "council", "hsds3", "https://x.example/api", max_response_mb=2, page_timeout_seconds=5, sync_timeout_minutes=3,
        max_pages=7, max_detail_requests=9, fetch_missing_details=False,
    )])
    [source] = sources_from_settings(settings, tmp_path)
    assert source.limits.max_response_bytes == 2 * MB and source.limits.page_seconds == 5
    assert source.limits.sync_seconds == 180 and source.limits.max_pages == 7 and source.limits.max_detail_requests == 9
    assert source.fetch_missing_details is False
    with pytest.raises(ValueError, match="max_response_mb"):
        FeedSettings("council", "hsds3", "https://x.example/api", max_response_mb=0)
    defaults = sources_from_settings(SignpostingSettings(feeds=[FeedSettings("c", "oruk_v1", "https://x")]), tmp_path)[0]
    assert defaults.limits.max_response_bytes == 25 * MB and defaults.limits.max_pages == 2000


def test_any_client_asks_only_for_encodings_decoded_with_a_cap(server):
    import httpx

    server.route("/services", lambda r: r.json(v1_page(1, ["a"], last=True)))
    with httpx.Client(trust_env=False) as plain_client:  # not make_client: a plugin's own client
        get_json(plain_client, server.url + "/services", sleep=NO_RETRY_SLEEP)
    assert server.requests[-1][2].get("Accept-Encoding") == "gzip, deflate"


def test_an_encoding_we_did_not_ask_for_is_refused(server):
    server.route("/services", lambda r: r.send(200, b"\x00" * 100, {"Content-Encoding": "br"}))
    with client() as http, pytest.raises(FeedError, match="encoding we did not ask for"):
        get_json(http, server.url + "/services", sleep=NO_RETRY_SLEEP)

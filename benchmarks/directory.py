"""Benchmark the signposting directory: run by hand, ``.venv/bin/python benchmarks/directory.py``.

Targets (issue 16; issue 4's in brackets):

* search with text + postcode distance + open-now over 50,000 services: p95 at most 5 ms (25 ms);
  text only at most 15 ms; at most 25 ms over 500,000 services (``--clone-to 500000``);
* loading at least 5,000 services a second;
* sync of 10,000 services from a local ORUK v1 server (loopback): under 30 s; a sync where
  nothing changed at most 3 s;
* memory reported (tracemalloc peak per phase, and the process's maximum RSS).

The 50,000 services are synthetic (a fixed random seed): spread over Great Britain
in proportion to a rough population weighting of 24 towns and cities plus rural
scatter, with names and descriptions built from a vocabulary of real service
kinds, weekly opening hours (a fifth have none), and needs tagged by the site
lead on some. The ORUK v1 server is Python's http.server in a thread, serving
``/services?page=&per_page=`` pages generated on the fly.

Options: ``--services N`` (default 50000), ``--sync N`` (default 10000),
``--queries N`` (default 300), ``--keep DIR`` to keep the databases (and reuse them), and
``--clone-to N``: the fast way to build a large case. The ``--services`` database is built
once through the real parser and writer, then copied in SQL until it holds N services (every
table the search reads, the index included, each copy a new set of ids and keys at the same
places: a directory N/--services times as dense, which is harder than a wider one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# (name, latitude, longitude, weight): rough shares of where services are.
PLACES = [
    ("London", 51.507, -0.128, 16), ("Birmingham", 52.486, -1.890, 4), ("Manchester", 53.480, -2.242, 4),
    ("Leeds", 53.800, -1.549, 3), ("Glasgow", 55.864, -4.252, 3), ("Liverpool", 53.408, -2.991, 2.5),
    ("Sheffield", 53.381, -1.470, 2), ("Bristol", 51.455, -2.588, 2), ("Newcastle", 54.978, -1.618, 2),
    ("Edinburgh", 55.953, -3.188, 2), ("Cardiff", 51.481, -3.179, 1.5), ("Nottingham", 52.954, -1.158, 1.5),
    ("Leicester", 52.637, -1.139, 1.5), ("Coventry", 52.407, -1.510, 1), ("Bradford", 53.795, -1.759, 1.5),
    ("Stoke", 53.003, -2.179, 1), ("Plymouth", 50.376, -4.143, 1), ("Southampton", 50.910, -1.404, 1),
    ("Norwich", 52.630, 1.297, 1), ("Hull", 53.767, -0.327, 1), ("Swansea", 51.621, -3.944, 1),
    ("Aberdeen", 57.150, -2.094, 1), ("Exeter", 50.718, -3.534, 0.7), ("Carlisle", 54.892, -2.932, 0.5),
]
RURAL_SHARE = 0.25

TOPICS = [
    ("Debt Advice", "debt", "Free, confidential debt advice: arrears, bailiffs, payment plans and budgeting."),
    ("Food Bank", "food", "Emergency food parcels for people in crisis; a voucher from an agency is needed."),
    ("Community Pantry", "food", "Low-cost groceries for members; fresh fruit and vegetables every week."),
    ("Job Club", "employment", "Help with CVs, job searching, applications and interview practice."),
    ("ESOL Class", "english", "English classes for speakers of other languages, all levels, free for most learners."),
    ("Digital Skills", "digital", "Learn to use a computer, get online safely and manage your Universal Credit journal."),
    ("Wellbeing Group", "mental_health", "A peer support group for anxiety, low mood and loneliness."),
    ("Housing Advice", "housing", "Advice on homelessness, eviction notices, disrepair and tenancy rights."),
    ("Welfare Rights", "benefits", "Benefit checks, help with claims, appeals and mandatory reconsideration."),
    ("Childcare Support", "childcare", "Help finding childcare and funded early education places."),
    ("Carers Centre", "caring", "Support and breaks for unpaid carers, and a carers' assessment."),
    ("Energy Advice", "energy_bills", "Help with fuel debt, prepayment meters and warm home grants."),
    ("Adult Learning", "skills", "Maths, English and vocational courses for adults, often free."),
    ("Recovery Service", "substance_misuse", "Drug and alcohol recovery support, groups and one-to-one help."),
    ("Legal Advice Clinic", "legal", "Free legal advice sessions with volunteer solicitors."),
    ("Community Transport", "transport", "Door-to-door minibus for people who cannot use buses."),
    ("Domestic Abuse Support", "domestic_abuse", "Confidential support, safety planning and refuge referrals."),
    ("Baby Bank", "essentials", "Free baby clothes, nappies, cots and prams for families in need."),
    ("Disability Advice", "disability", "Advice on disability benefits, equipment and adaptations."),
    ("Befriending Service", "isolation", "Weekly visits and calls from a volunteer befriender."),
]
KINDS = ["Drop-in", "Centre", "Service", "Project", "Hub", "Group", "Network", "Clinic"]
PREFIXES = ["Northside", "Riverside", "St Mary's", "Parkview", "Oakfield", "Hillcrest", "Meadow", "Station Road",
            "Millbrook", "Westgate", "Eastfield", "Kingsway", "Greenbank", "Ashton", "Brookside", "Canal Street"]
EXTRA = ["Tea and coffee provided.", "Wheelchair accessible.", "Interpreters can be arranged.",
         "No appointment needed.", "Please bring ID if you have it.", "Run by trained volunteers.",
         "Children welcome.", "Free wifi available."]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]

# Postcodes near some of the places, to search from (all exist in the ONS data).
ORIGINS = ["M40 7AB", "M1 1AE", "SW1A 1AA", "BS1 1AD", "LS1 4AP", "B1 1BB", "G1 1XQ", "L1 8JQ", "NE1 7RU", "CF10 1EP"]
QUERIES = ["debt", "food bank", "job club", "esol", "mental health", "benefits advice", "housing", "deb", "childcare",
           "carers", "energy", "help with debt", "digital", "baby bank", "legal advice"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def place(rng: random.Random) -> tuple[float, float, str]:
    if rng.random() < RURAL_SHARE:
        return rng.uniform(50.3, 57.5), rng.uniform(-4.5, 1.2), "Rural"
    name, lat, lon, _ = rng.choices(PLACES, weights=[p[3] for p in PLACES])[0]
    spread = 0.12
    return lat + rng.gauss(0, spread), lon + rng.gauss(0, spread * 1.6), name


def synthetic_service_dict(index: int, rng: random.Random) -> dict:
    """One service in ORUK v1 JSON shape (the sync benchmark serves these; the search one parses them)."""
    title, need, description = rng.choice(TOPICS)
    lat, lon, town = place(rng)
    prefix = rng.choice(PREFIXES)
    name = f"{prefix} {title} {rng.choice(KINDS)}"
    text = f"{description} {' '.join(rng.sample(EXTRA, 2))} Serving {town}."
    schedules = []
    if rng.random() > 0.2:
        for day in rng.sample(DAYS, rng.randint(1, 4)):
            opens = rng.choice([9, 10, 13, 17])
            schedules.append({"id": f"s{index}-{day}", "freq": "WEEKLY", "byday": day,
                              "opens_at": f"{opens:02d}:00", "closes_at": f"{opens + rng.choice([2, 3, 4]):02d}:00"})
    located = rng.random() > 0.05
    remote = rng.random() < 0.03
    location = {
        "id": f"loc{index}",
        "name": f"{prefix} Community Centre",
        "latitude": round(lat, 5) if located else None,
        "longitude": round(lon, 5) if located else None,
        "physical_addresses": [{"id": f"a{index}", "address_1": f"{rng.randint(1, 200)} High Street",
                                "city": town, "postal_code": "", "country": "GB"}],
    }
    service = {
        "id": f"svc-{index}",
        "name": name,
        "description": text,
        "status": "active",
        "url": f"https://example.org/{index}",
        "assured_date": (dt.date(2026, 11, 1) - dt.timedelta(days=rng.randint(0, 300))).isoformat(),
        "attending_access": rng.choice(["drop-in", "appointment", "referral"]),
        "attending_type": "phone" if remote else "venue",
        "organization": {"id": f"org{index % 5000}", "name": f"{prefix} {town} Trust"},
        "contacts": [{"id": f"c{index}", "name": "Reception", "phones": [{"id": f"p{index}", "number": f"0161 496 {index % 1000:04d}"}]}],
        "regular_schedules": schedules,
        "service_at_locations": [] if remote else [{"id": f"sal{index}", "location": location}],
        "service_taxonomys": [{"id": f"t{index}", "taxonomy": {"id": need, "name": need.replace("_", " ").title(), "vocabulary": "demo"}}],
    }
    return service


def synthetic_services(count: int, seed: int = 4):
    """Parsed Service records (source "bench"), through the real ORUK v1 parser."""
    from plugins.signposting.feeds import parse_oruk_v1_page

    rng = random.Random(seed)
    batch = []
    for index in range(count):
        batch.append(synthetic_service_dict(index, rng))
        if len(batch) == 1000 or index == count - 1:
            page = {"content": batch, "totalElements": count, "last": index == count - 1}
            yield from parse_oruk_v1_page(page, "bench", today=dt.date(2026, 11, 22)).services
            batch = []


def open_db(path: Path):
    from hub.storage import apply_migrations, open_database
    from hub.residents import core_migrations

    from plugins.signposting.store import migrations

    db = open_database(path)
    apply_migrations(db, [core_migrations(), migrations()])
    return db


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load_services(db, count: int) -> None:
    from plugins.signposting import store

    chunk = []
    for service in synthetic_services(count):
        chunk.append(service)
        if len(chunk) == 2000:
            store.write_services(db, chunk)
            chunk = []
    if chunk:
        store.write_services(db, chunk)
    store.optimize_index(db)


def clone_database(source: Path, target: Path, total: int) -> None:
    """Copy a built database until it holds ``total`` services, in SQL (minutes, not hours)."""
    import shutil
    import sqlite3

    shutil.copyfile(source, target)
    conn = sqlite3.connect(target)
    base = conn.execute("select count(*) from directory_services").fetchone()[0]
    top = conn.execute("select max(id) from directory_services").fetchone()[0]
    sal_top = conn.execute("select max(id) from directory_service_at_location").fetchone()[0]
    copies = max(1, -(-total // base))
    for k in range(1, copies):
        wanted = min(base, total - k * base)
        if wanted <= 0:
            break
        off, sal_off = k * (top + 1), k * (sal_top + 1)
        ids = f"(select id from directory_services where id <= {top} order by id limit {wanted})"
        columns = [r[1] for r in conn.execute("pragma table_info(directory_services)") if r[1] not in ("id", "key")]
        names = ", ".join(columns)
        conn.execute(f"insert into directory_services (id, key, {names}) select id + {off}, key || '#{k}', {names} "
                     f"from directory_services where id in {ids}")
        conn.execute(f"insert into directory_records select service_id + {off}, record_json from directory_records where service_id in {ids}")
        conn.execute("insert into directory_service_at_location (id, key, service_id, location_id, description, latitude, longitude, cell) "
                     f"select id + {sal_off}, key || '#{k}', service_id + {off}, location_id, description, latitude, longitude, cell "
                     f"from directory_service_at_location where service_id in {ids}")
        conn.execute(f"insert into directory_service_needs select service_id + {off}, need, score, reasons from directory_service_needs where service_id in {ids}")
        conn.execute("insert into directory_schedules (service_id, service_at_location_id, source_id, freq, interval, byday, bymonthday, opens_at, closes_at, valid_from, valid_to, dtstart, until, description, notes, attending_type) "
                     f"select service_id + {off}, service_at_location_id + {sal_off}, source_id, freq, interval, byday, bymonthday, opens_at, closes_at, valid_from, valid_to, dtstart, until, description, notes, attending_type from directory_schedules where service_id in {ids}")
        conn.execute(f"insert into directory_search_fts (rowid, name, other, body, needs, area) select rowid + {off}, name, other, body, needs, area from directory_search_fts where rowid in {ids}")
        rank_columns = [r[1] for r in conn.execute("pragma table_info(directory_search_rank)") if r[1] != "service_id"]
        rank = ", ".join(rank_columns)
        values = ", ".join(f"dedupe || '#{k}'" if c == "dedupe" else c for c in rank_columns)  # copies are not duplicates
        conn.execute(f"insert into directory_search_rank (service_id, {rank}) select service_id + {off}, {values} from directory_search_rank where service_id in {ids}")
        conn.commit()
    conn.execute("insert into directory_search_fts(directory_search_fts) values('optimize')")
    conn.execute("update directory_meta set value = lower(hex(randomblob(8))) where key = 'index_generation'")
    conn.commit()
    conn.execute("vacuum")
    conn.close()


def bench_search(folder: Path, count: int, queries: int, clone_to: int | None = None) -> None:
    from plugins.signposting import geo
    from plugins.signposting.search import search

    path = folder / "search.db"
    if clone_to:
        target = folder / f"search-{clone_to}.db"
        if not target.exists():
            if not path.exists():
                load_services(open_db(path), count)
            t0 = time.perf_counter()
            clone_database(path, target, clone_to)
            print(f"cloned {path.name} to {clone_to:,} services in {time.perf_counter() - t0:.0f} s")
        path, count = target, clone_to
    print(f"\n== Search over {count:,} synthetic services ==")
    if path.exists():
        db = open_db(path)
        print(f"reusing {path} ({db['directory_services'].count:,} services)")
    else:
        db = open_db(path)
        started = time.perf_counter()
        load_services(db, count)
        load_seconds = time.perf_counter() - started
        print(f"loaded in {load_seconds:.1f} s ({count / load_seconds:,.0f} services/s, parsing included); "
              f"database {path.stat().st_size / 1e6:.0f} MB")
        tracemalloc.start()
        load_services(open_db(folder / "memory-probe.db"), 2000)
        _, load_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak while writing 2,000 services in batches of 2,000: {load_peak / 1e6:.0f} MB")

    # A kiosk looks up postcodes near its site: one or two postcode letters, decompressed once and
    # kept (the gazetteer keeps 6). These origins span 7 letters, so keep them all, and time a
    # letter's first lookup on its own.
    gazetteer = geo.PostcodeGazetteer(max_cached_letters=12)
    for origin in ORIGINS:
        t0 = time.perf_counter()
        gazetteer.lookup(origin)
        first = (time.perf_counter() - t0) * 1000
        if origin == "M40 7AB":
            print(f"first postcode lookup in a letter not yet loaded (M): {first:.0f} ms; later lookups are a bisection")
    rng = random.Random(11)
    moment_base = dt.datetime(2026, 11, 24, 9, 0)  # a Tuesday
    cases = []
    for _ in range(queries):
        moment = moment_base + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(0, 9))
        cases.append((rng.choice(QUERIES), rng.choice(ORIGINS), moment))
    for text, origin, moment in cases[:20]:  # warm-up
        search(db, text, near=origin, open_at=moment, open_only=True, gazetteer=gazetteer)

    def timed(label: str, **fixed) -> float:
        times, sizes, slowest = [], [], []
        for text, origin, moment in cases:
            args = {"text": text, "near": origin, "open_at": moment, "open_only": True, **fixed}
            t0 = time.perf_counter()
            results = search(db, args.pop("text"), gazetteer=gazetteer, **args)
            elapsed = (time.perf_counter() - t0) * 1000
            times.append(elapsed)
            sizes.append(len(results.local))
            slowest.append((elapsed, args.get("needs") or text, origin, f"{moment:%a %H:%M}"))
        print(f"{label:<46} p50 {statistics.median(times):6.1f} ms  p95 {percentile(times, 0.95):6.1f} ms  "
              f"max {max(times):6.1f} ms  (mean {statistics.mean(sizes):.1f} local results)")
        worst = max(slowest)
        print(f"{'':<46} slowest: {worst[1]!r} near {worst[2]} at {worst[3]}")
        return percentile(times, 0.95)

    p95 = timed("text + postcode + open now (the target)")
    timed("text + postcode, no opening hours", open_at=None, open_only=False)
    timed("text + postcode + open now, 3-mile radius", radius_miles=3.0)
    timed("need 'debt' + postcode + open now", text="", needs=["debt"])
    timed("text only (no postcode, no hours)", near=None, open_at=None, open_only=False)
    tracemalloc.start()
    for text, origin, moment in cases[:50]:
        search(db, text, near=origin, open_at=moment, open_only=True, gazetteer=gazetteer)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"tracemalloc peak over 50 target searches: {peak / 1e6:.1f} MB")
    target = 5 if count <= 50_000 else 25
    verdict = "meets" if p95 <= target else "MISSES"
    print(f"target p95 <= {target} ms: {verdict} ({p95:.1f} ms)")
    db.close()


class _FeedHandler(BaseHTTPRequestHandler):
    total = 10_000

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["50"])[0])
        start = (page - 1) * per_page
        rng = random.Random(page)
        items = [synthetic_service_dict(i, rng) for i in range(start, min(self.total, start + per_page))]
        pages = (self.total + per_page - 1) // per_page
        body = json.dumps({"totalElements": self.total, "totalPages": pages, "number": page, "size": per_page,
                           "first": page == 1, "last": page >= pages, "empty": not items,
                           "content": items}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def bench_sync(folder: Path, count: int) -> None:
    from plugins.signposting import store
    from plugins.signposting.sources import ApiFeedSource, FetchContext

    _FeedHandler.total = count
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"
    print(f"\n== Sync of {count:,} services from a local ORUK v1 server ({url}) ==")
    db = open_db(folder / "sync.db")
    source = ApiFeedSource("loopback", url, kind="oruk_v1", label="Loopback ORUK v1")
    try:
        for attempt in ("first sync (all new)", "second sync (all unchanged)"):
            t0 = time.perf_counter()
            report = store.sync_source(db, source, context=FetchContext(today=dt.date(2026, 11, 22)))
            seconds = time.perf_counter() - t0
            print(f"{attempt:<30} {seconds:6.1f} s  ({report.batches} pages; {report.summary()})")
            if attempt.startswith("first"):
                verdict = "meets" if seconds < 30 and report.complete else "MISSES"
                print(f"target < 30 s: {verdict} ({seconds:.1f} s)")
            else:
                verdict = "meets" if seconds <= 3 and report.complete else "MISSES"
                print(f"target unchanged re-sync <= 3 s: {verdict} ({seconds:.1f} s)")
        fresh = open_db(folder / "sync-memory.db")
        tracemalloc.start()
        store.sync_source(fresh, source, context=FetchContext(today=dt.date(2026, 11, 22)))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak during a first sync (traced run, slower): {peak / 1e6:.0f} MB")
        fresh.close()
    finally:
        server.shutdown()
        db.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--sync", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", metavar="DIR", help="keep the databases in this folder")
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--clone-to", type=int, metavar="N", help="search a copy grown to N services (see above)")
    args = parser.parse_args(argv)
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}  {machine()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.skip_search:
            bench_search(folder, args.services, args.queries, args.clone_to)
        if not args.skip_sync:
            bench_sync(folder, args.sync)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nmaximum resident set size of this process: {rss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

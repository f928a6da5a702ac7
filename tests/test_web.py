"""The web app (`storyline serve`) in-process: every page and its JSON twin, downloads, and corrections
that show at once and survive a re-analysis. Security checks are in test_web_security.py."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
from fastapi.testclient import TestClient

from conftest import settle
from storyline.analyse import analyse
from storyline.export.jsonexport import schema
from storyline.store import open_store
from storyline.web import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "riverton-flood"


def csrf(client: TestClient) -> str:
    client.get("/")
    return client.cookies["storyline_csrf"]


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- timeline ----------------------------------------------------------------------------------------


def test_timeline_lists_dated_entries_in_order_with_cited_sentences(client: TestClient) -> None:
    data = client.get("/api/timeline").json()
    dates = [e["date"] for e in data["entries"]]
    assert dates and dates == sorted(dates) and data["count"] == len(dates)
    html = client.get("/").text
    assert re.findall(r'data-testid="entry" data-date="([^"]+)"', html) == dates
    assert f'<span data-testid="entry-count">{len(dates)}</span>' in html
    articles = {a["id"] for a in client.get("/api/articles?limit=1000").json()["rows"]}
    for entry in data["entries"]:
        assert entry["summary"] and entry["verification"] in ("several independent outlets", "single source")
        for sentence in entry["summary"]:
            assert sentence["article_id"] in articles
            assert f'href="/articles/{sentence["article_id"]}"' in html
        for event in entry["events"]:
            assert f'class="event-link" href="/events/{event["id"]}"' in html


def test_uncertain_dates_are_marked_and_the_histogram_tells_inferred_dates_apart(client: TestClient) -> None:
    data = client.get("/api/timeline").json()
    html = client.get("/").text
    uncertain = [e for e in data["entries"] if e["uncertain"]]
    assert html.count('data-testid="uncertain"') == len(uncertain)
    for entry in uncertain:
        assert re.search(rf'data-date="{entry["date"]}">\s*<h2>.*?data-testid="uncertain"', html, re.S)
    bars = data["histogram"]["bars"]
    assert sum(b["stated"] for b in bars) > 0 and sum(b["inferred"] for b in bars) == 2
    assert 'data-testid="histogram"' in html and 'class="bar inferred"' in html


def test_timeline_filters_narrow_the_entries(client: TestClient) -> None:
    full = client.get("/api/timeline").json()["entries"]
    march = client.get("/api/timeline", params={"start": "2025-03", "end": "2025-03"}).json()["entries"]
    assert march and len(march) < len(full) and all(e["date"].startswith("2025-03") for e in march)
    by_outlet = client.get("/api/timeline", params={"outlet": "Northern Wire"}).json()["entries"]
    assert by_outlet and all("Northern Wire" in e["outlets"] for e in by_outlet)
    spillway = client.get("/api/timeline", params={"q": "spillway"}).json()["entries"]
    assert spillway and all(
        "spillway" in " ".join([s["text"] for s in e["summary"]] + [v["title"] for v in e["events"]]).lower()
        for e in spillway
    )
    entity = "person:elena-varga"
    with_her = client.get("/api/timeline", params={"entity": entity}).json()
    assert with_her["entries"] and with_her["entity_name"] == "Elena Varga"
    for entry in with_her["entries"]:
        events = [client.get(f"/api/events/{e['id']}").json() for e in entry["events"]]
        assert any(
            entity in [p["id"] for p in e["participants"]] + [(e["place"] or {}).get("id")] for e in events
        )
    page = client.get("/", params={"q": "spillway"}).text
    assert f'<span data-testid="entry-count">{len(spillway)}</span>' in page


def test_a_bad_date_filter_is_a_400_with_the_reason(client: TestClient) -> None:
    api = client.get("/api/timeline", params={"start": "last week"})
    assert api.status_code == 400 and "YYYY-MM-DD" in api.json()["detail"]
    page = client.get("/", params={"end": "2025-13-45x"})
    assert page.status_code == 400 and "YYYY-MM-DD" in page.text
    # The right shape is not enough: the month and the day must exist.
    for impossible in ("2025-13", "2025-02-30", "2025-00"):
        assert client.get("/api/timeline", params={"start": impossible}).status_code == 400, impossible
    assert client.get("/api/timeline", params={"start": "2024-02-29"}).status_code == 200


# --- events ------------------------------------------------------------------------------------------


def test_event_page_shows_each_outlet_side_by_side(client: TestClient) -> None:
    events = client.get("/api/events").json()["rows"]
    event = max(events, key=lambda e: (e["independent_sources"], len(e["outlets"])))
    data = client.get(f"/api/events/{event['id']}").json()
    assert data["independent_sources"] >= 2 and len(data["reports"]) >= 2
    html = client.get(f"/events/{event['id']}").text
    assert f'<h1 data-testid="event-title">{escape(data["title"])}</h1>' in html
    assert f'<span data-testid="independent-sources">{data["independent_sources"]}</span>' in html
    named = []
    for report in data["reports"]:
        assert f'data-testid="outlet-report" data-outlet="{escape(report["outlet"])}"' in html
        article_ids = {a["id"] for a in report["articles"]}
        if report["lead"]:
            assert report["lead"]["article_id"] in article_ids
            assert report["lead"] == report["sentences"][0]
        assert all(q["article_id"] in article_ids for q in report["quotes"])
        named.append({e["id"] for e in report["only_here"]})
    for i, own in enumerate(named):
        assert not own & set().union(*(other for j, other in enumerate(named) if j != i))


def test_events_table_filters_and_unknown_event(client: TestClient) -> None:
    table = client.get("/api/events", params={"start": "2025-03-13", "end": "2025-03-15"}).json()
    assert table["rows"] and all("2025-03-13" <= r["date"][:10] <= "2025-03-15" for r in table["rows"])
    assert 'data-testid="event-row"' in client.get("/events").text
    assert client.get("/api/events/event:nope").status_code == 404
    missing = client.get("/events/event:nope")
    assert missing.status_code == 404 and "no event with id" in missing.text


# --- entities ----------------------------------------------------------------------------------------


def test_entity_page_has_coverage_events_quotes_and_correction_forms(client: TestClient) -> None:
    data = client.get("/api/entities/person:elena-varga").json()
    assert data["name"] == "Elena Varga" and data["label"] == "PERSON"
    assert sum(b["stated"] + b["inferred"] for b in data["coverage"]["bars"]) >= 3
    assert data["events"] and all(
        "person:elena-varga" in [p["id"] for p in e["participants"]] + [(e["place"] or {}).get("id")]
        for e in data["events"]
    )
    assert data["quotes"] and all(q["speaker_entity"] == "person:elena-varga" for q in data["quotes"])
    html = client.get("/entities/person:elena-varga").text
    assert '<h1 data-testid="entity-name">Elena Varga</h1>' in html
    assert 'id="merge-form"' in html and 'data-testid="histogram"' in html
    people = client.get("/api/entities", params={"label": "PERSON"}).json()
    assert people["rows"] and all(r["label"] == "PERSON" for r in people["rows"])
    assert client.get("/api/entities/person:nobody").status_code == 404
    assert client.get("/entities/person:nobody").status_code == 404


# --- articles ----------------------------------------------------------------------------------------


class _Nesting(HTMLParser):
    """Checks that tags nest (no </mark> closing an outer tag) and collects the marked text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.marked: dict[str, list[str]] = {"entity": [], "timex": [], "quote": []}
        self.void = {"meta", "link", "input", "br", "img", "hr", "rect"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.void:
            self.stack.append(tag if tag != "mark" else f"mark.{dict(attrs).get('class')}")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.void:
            return
        assert self.stack and self.stack[-1].split(".")[0] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for entry in self.stack:
            if entry.startswith("mark."):
                self.marked[entry[5:]].append(data)


def test_article_page_marks_names_dates_and_quotes_with_nesting_tags(client: TestClient) -> None:
    rows = client.get("/api/articles", params={"limit": 1000}).json()["rows"]
    for row in rows:
        data = client.get(f"/api/articles/{row['id']}").json()
        html = client.get(f"/articles/{row['id']}").text
        parser = _Nesting()
        parser.feed(html)
        assert not parser.stack
        for kind in ("entity", "timex", "quote"):
            spans = [h for h in data["highlights"] if h["kind"] == kind]
            assert bool(spans) == (f'<mark class="{kind}"' in html)
            # Every character of every span is inside a mark of its kind.
            marked = "".join(parser.marked[kind])
            assert all(piece in marked for h in spans for piece in h["text"].split())
        for h in data["highlights"]:
            assert data["text"][h["start"] : h["end"]] == h["text"]


def test_article_page_shows_dates_with_method_and_duplicates_both_ways(client: TestClient) -> None:
    rows = client.get("/api/articles", params={"limit": 1000}).json()["rows"]
    copy = next(r for r in rows if r["duplicate_of"])
    original = client.get(f"/api/articles/{copy['duplicate_of']}").json()
    assert copy["id"] in [d["id"] for d in original["duplicates"]]
    assert client.get(f"/api/articles/{copy['id']}").json()["original"]["id"] == original["id"]
    inferred = next(r for r in rows if r["dated"] == "inferred")
    html = client.get(f"/articles/{inferred['id']}").text
    assert f'<span data-testid="published">{inferred["date"]["value"]}</span>' in html
    assert '<span data-testid="date-method">corpus</span>' in html and 'data-testid="uncertain"' in html
    assert 'id="date-form"' in html and 'id="save-date"' in html and 'id="outlet-form"' in html
    raw = client.get(f"/articles/{inferred['id']}/raw")
    assert raw.headers["content-type"].startswith("text/plain") and raw.text.strip()
    assert client.get("/articles/ffffffffffffffff").status_code == 404
    assert client.get("/api/articles/not-hex").status_code == 404


def test_articles_table_lists_undated_and_doubtful_articles(client: TestClient) -> None:
    inferred = client.get("/api/articles", params={"dated": "inferred"}).json()
    assert inferred["total"] == 2 and all(r["date"]["inferred"] for r in inferred["rows"])
    stated = client.get("/api/articles", params={"dated": "stated"}).json()
    assert stated["total"] + inferred["total"] == client.get("/api/articles").json()["total"]
    assert client.get("/api/articles", params={"dated": "none"}).json()["total"] == 0
    assert client.get("/api/articles", params={"dated": "maybe"}).status_code == 400
    page = client.get("/articles", params={"dated": "inferred"}).text
    assert page.count('data-testid="article-row"') == 2


def test_search_finds_articles_and_bad_syntax_is_a_400(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "spillway"}).json()["hits"]
    assert hits and all(h["article"]["id"] for h in hits)
    assert client.get("/search", params={"q": "spillway"}).text.count('data-testid="hit"') == len(hits)
    for bad in ('"unbalanced', "AND OR", "spillway NEAR("):
        api = client.get("/api/search", params={"q": bad})
        assert api.status_code == 400 and "double quotes" in api.json()["detail"]
        page = client.get("/search", params={"q": bad})
        assert page.status_code == 400 and 'data-testid="search-error"' in page.text
    assert client.get("/search.csv", params={"q": '"bad'}).status_code == 400


def test_search_narrows_by_outlet_and_publication_date(client: TestClient) -> None:
    every = client.get("/api/search", params={"q": "river"}).json()["hits"]
    outlets = {h["article"]["outlet"] for h in every}
    assert len(outlets) >= 2, "the example corpus has several outlets writing about the river"
    outlet = sorted(outlets)[0]
    one = client.get("/api/search", params={"q": "river", "outlet": outlet}).json()
    assert one["outlet"] == outlet and one["hits"]
    assert all(h["article"]["outlet"] == outlet for h in one["hits"])
    march = client.get("/api/search", params={"q": "river", "start": "2025-03", "end": "2025-03-15"}).json()
    dates = [h["article"]["date"]["value"] for h in march["hits"]]
    assert dates and all("2025-03" <= d[:10] <= "2025-03-15" for d in dates)
    assert len(march["hits"]) < len(every)
    page = client.get("/search", params={"q": "river", "outlet": outlet})
    assert page.text.count('data-testid="hit"') == len(one["hits"])
    assert f'name="outlet" value="{outlet}"' in page.text
    rows = client.get("/search.csv", params={"q": "river", "outlet": outlet}).text.strip().splitlines()
    assert len(rows) == len(one["hits"]) + 1


# --- downloads and OpenAPI ---------------------------------------------------------------------------


def test_downloads_are_the_exports_and_every_table_has_a_csv(client: TestClient) -> None:
    document = client.get("/download/timeline.json").json()
    jsonschema.validate(document, schema())
    assert len(document["timeline"]) == client.get("/api/timeline").json()["count"]
    assert client.get("/download/timeline.md").text.startswith("# ")
    assert client.get("/download/timelinejs.json").json()["events"]
    expected = {
        "/timeline.csv": ("date", None),
        "/events.csv": ("id", client.get("/api/events").json()["total"]),
        "/entities.csv": ("id", client.get("/api/entities").json()["total"]),
        "/articles.csv": ("id", client.get("/api/articles").json()["total"]),
        "/search.csv?q=spillway": ("article_id", len(client.get("/api/search?q=spillway").json()["hits"])),
    }
    for url, (column, count) in expected.items():
        response = client.get(url)
        assert response.headers["content-type"].startswith("text/csv"), url
        rows = parse_csv(response.text)
        assert rows and column in rows[0], url
        if count is not None:
            assert len(rows) == count, url
    filtered = parse_csv(client.get("/articles.csv", params={"dated": "inferred"}).text)
    assert len(filtered) == 2


def test_openapi_describes_the_api_and_docs_pages_are_off(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/timeline", "/api/events/{event_id}", "/api/articles/{article_id}", "/api/search"):
        ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].startswith("#/components/schemas/")
    assert "post" in spec["paths"]["/api/articles/{article_id}/date"]
    assert not any(p.startswith(("/articles", "/events", "/download")) for p in spec["paths"])
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


# --- corrections -------------------------------------------------------------------------------------


def test_date_and_outlet_corrections_show_at_once_and_survive_reanalysis(own_db: Path) -> None:
    client = TestClient(create_app(own_db))
    token = csrf(client)
    article = client.get("/api/articles", params={"dated": "inferred"}).json()["rows"][0]
    url = f"/articles/{article['id']}"
    response = client.post(
        f"{url}/date", data={"date": "2025-03-12", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == url
    page = client.get(url).text  # the article itself is read from the store: corrected at once
    assert '<span data-testid="published">2025-03-12</span>' in page
    assert '<span data-testid="date-method">manual</span>' in page
    settle(client)
    assert client.get("/api/articles", params={"dated": "manual"}).json()["total"] == 1
    response = client.post(
        f"{url}/outlet", data={"outlet": "Hill Radio", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get(f"/api{url}").json()["outlet"] == "Hill Radio"
    settle(client)
    for event in client.get(f"/api{url}").json()["events"]:
        reports = client.get(f"/api/events/{event['id']}").json()["reports"]
        assert "Hill Radio" in [r["outlet"] for r in reports]

    with open_store(own_db) as store:
        analyse(store)
    settle(client)
    again = client.get(f"/api{url}").json()
    assert again["date"]["value"] == "2025-03-12" and again["date"]["method"] == "manual"
    assert again["outlet"] == "Hill Radio"

    cleared = client.post(f"{url}/date", data={"clear": "1", "csrf_token": token}, follow_redirects=False)
    assert cleared.status_code == 303
    settle(client)
    assert client.get(f"/api{url}").json()["dated"] == "inferred"
    bad = client.post(f"{url}/date", data={"date": "12 March", "csrf_token": token})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_hiding_an_entry_leaves_it_out_until_shown_again(own_db: Path) -> None:
    client = TestClient(create_app(own_db))
    token = csrf(client)
    entries = client.get("/api/timeline").json()["entries"]
    date = entries[0]["date"]
    hidden = client.post(
        "/timeline/hide",
        data={"date": date, "hidden": "1", "next": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert hidden.status_code == 303 and hidden.headers["location"] == "/"
    settle(client)
    after = client.get("/api/timeline").json()
    assert date not in [e["date"] for e in after["entries"]] and after["hidden"] == 1
    assert f'data-date="{date}"' not in client.get("/").text
    assert date not in [e["date"] for e in client.get("/download/timeline.json").json()["timeline"]]
    shown = client.get("/", params={"show_hidden": "1"}).text
    assert f'data-date="{date}"' in shown and "Un-hide" in shown
    with open_store(own_db) as store:
        analyse(store)
    settle(client)
    assert date not in [e["date"] for e in client.get("/api/timeline").json()["entries"]]
    api = client.post(
        "/api/timeline/hide", json={"date": date, "hidden": False}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 200 and api.json()["ok"]
    settle(client)
    assert date in [e["date"] for e in client.get("/api/timeline").json()["entries"]]


def test_merging_and_splitting_a_name_changes_the_entity(own_db: Path) -> None:
    client = TestClient(create_app(own_db))
    token = csrf(client)
    entity, alias = "person:elena-varga", "Harriet Quell"
    assert alias not in client.get(f"/api/entities/{entity}").json()["aliases"]
    merged = client.post(
        "/entities/merge",
        data={"alias": alias, "entity_id": entity, "csrf_token": token},
        follow_redirects=False,
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/entities/{entity}"
    settle(client)
    data = client.get(f"/api/entities/{entity}").json()
    assert alias in data["aliases"] and any(
        m["alias"] == alias and m["source"] == "user" for m in data["merges"]
    )
    assert alias in client.get(f"/entities/{entity}").text
    with open_store(own_db) as store:
        analyse(store)
    settle(client)
    assert alias in client.get(f"/api/entities/{entity}").json()["aliases"]
    split = client.post(
        "/api/entities/split", json={"alias": alias, "entity_id": entity}, headers={"X-CSRF-Token": token}
    )
    assert split.status_code == 200
    settle(client)
    assert alias not in client.get(f"/api/entities/{entity}").json()["aliases"]
    unknown = client.post(
        "/api/entities/merge",
        json={"alias": "X", "entity_id": "person:nobody"},
        headers={"X-CSRF-Token": token},
    )
    assert unknown.status_code == 400 and "person:nobody" in unknown.json()["detail"]


def test_the_cache_notices_changes_made_by_another_connection(own_db: Path) -> None:
    client = TestClient(create_app(own_db))
    date = client.get("/api/timeline").json()["entries"][-1]["date"]
    with open_store(own_db) as store:  # as `storyline` on the command line would
        store.set_entry_hidden(date, True)
    settle(client)
    assert date not in [e["date"] for e in client.get("/api/timeline").json()["entries"]]


def test_an_empty_database_says_what_to_do(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "empty.db"))
    page = client.get("/")
    assert page.status_code == 200 and "storyline analyse" in page.text
    assert client.get("/api/articles").json()["total"] == 0


def escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_pages_share_the_navigation_and_csrf_meta(client: TestClient) -> None:
    article = client.get("/api/articles").json()["rows"][0]["id"]
    for url in ("/", "/events", "/entities", "/articles", f"/articles/{article}", "/search", "/nope"):
        html = client.get(url).text
        for label, href in (("Timeline", "/"), ("Events", "/events"), ("Entities", "/entities")):
            assert re.search(rf'<a href="{href}"[^>]*>{label}</a>', html), (url, label)
        assert re.search(r'<meta name="csrf-token" content="[^"]+">', html), url
        assert json.dumps(html).count("<script") == 0, url

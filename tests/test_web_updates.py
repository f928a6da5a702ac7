"""The web app under change and at size: corrections return at once while their follow-up and the cache
rebuild run in the background (pages say so meanwhile), long lists come in pages, shutdown waits for the
background work, and the small wording fixes of the pages (one "?" per inferred date, untitled articles
named by their first words, a place not repeated among participants)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import settle
from storyline import corrections
from storyline.model import Article
from storyline.store import Store
from storyline.web import create_app
from storyline.web.convert import article_label

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "riverton-flood"
UPDATING = 'data-testid="updating"'


# --- background corrections --------------------------------------------------------------------------


def test_a_date_correction_returns_before_its_follow_up_and_pages_say_they_are_updating(
    own_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(own_db))
    token = (client.get("/"), client.cookies["storyline_csrf"])[1]
    article = client.get("/api/articles", params={"dated": "inferred"}).json()["rows"][0]
    url = f"/articles/{article['id']}"
    release, started = threading.Event(), threading.Event()
    reanchor = corrections.reanchor_dates

    def slow_reanchor(store: Store, article_id: str) -> None:
        started.set()
        assert release.wait(timeout=60), "the test never released the follow-up"
        reanchor(store, article_id)

    monkeypatch.setattr(corrections, "reanchor_dates", slow_reanchor)
    try:
        response = client.post(
            f"{url}/date", data={"date": "2025-03-12", "csrf_token": token}, follow_redirects=False
        )
        # The POST came back while the follow-up is still blocked: it did not wait for it.
        assert response.status_code == 303 and started.wait(timeout=30)
        page = client.get(url).text  # the article is read from the store: corrected already
        assert '<span data-testid="published">2025-03-12</span>' in page
        timeline = client.get("/")
        assert timeline.status_code == 200 and UPDATING in timeline.text  # the previous snapshot, said so
        assert client.get("/api/status").json()["updating"] is True
        assert client.get("/api/articles", params={"dated": "manual"}).json()["total"] == 0
    finally:
        release.set()
    settle(client)
    assert client.get("/api/status").json() == {"updating": False, "failure": None}
    assert UPDATING not in client.get("/").text
    manual = client.get("/api/articles", params={"dated": "manual"}).json()["rows"]
    assert [a["id"] for a in manual] == [article["id"]]
    assert "2025-03-12" in str(client.get("/api/timeline").json())


def test_a_failed_follow_up_is_shown_and_the_app_keeps_serving(
    own_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(own_db))
    token = (client.get("/"), client.cookies["storyline_csrf"])[1]

    def broken(store: Store) -> None:
        raise RuntimeError("resolver broke")

    monkeypatch.setattr(corrections, "resolve_entities", broken)
    merged = client.post(
        "/api/entities/merge",
        json={"alias": "Harriet Quell", "entity_id": "person:elena-varga"},
        headers={"X-CSRF-Token": token},
    )
    assert merged.status_code == 200
    settle(client)
    assert "resolver broke" in client.get("/api/status").json()["failure"]
    page = client.get("/")
    assert page.status_code == 200 and 'data-testid="update-failed"' in page.text


def test_shutting_down_during_the_warm_up_waits_for_it(built_db: Path) -> None:
    app = create_app(built_db)
    with TestClient(app):
        pass  # the lifespan ends at once, while the warm-up is building the snapshot
    service = app.state.service
    assert service.failure is None and not service.updating
    with TestClient(app) as again:  # and the app can be started again
        assert again.get("/api/timeline").status_code == 200


# --- paging ------------------------------------------------------------------------------------------


def test_the_events_table_pages_with_next_and_previous_links(client: TestClient) -> None:
    total = client.get("/api/events").json()["total"]
    assert total >= 3
    first = client.get("/events", params={"limit": 2}).text
    assert first.count('data-testid="event-row"') == 2
    assert re.search(r'<a href="/events\?offset=2&amp;limit=2">next</a>|<a href="/events\?offset=2', first)
    second = client.get("/events", params={"limit": 2, "offset": 2}).text
    assert "previous" in second and f"3–{min(4, total)} of {total}" in second
    api = client.get("/api/events", params={"limit": 2, "offset": 2}).json()
    assert (api["total"], api["offset"], api["limit"], len(api["rows"])) == (total, 2, 2, min(2, total - 2))
    assert client.get("/api/events").json()["limit"] == 200  # the API's page stays as it was


def test_an_entity_lists_its_events_a_page_at_a_time(client: TestClient) -> None:
    entity = "person:elena-varga"
    full = client.get(f"/api/entities/{entity}").json()
    assert full["events_total"] >= 2 and len(full["events"]) == full["events_total"]
    page = client.get(f"/api/entities/{entity}", params={"limit": 1, "offset": 1}).json()
    assert (page["events_offset"], page["events_limit"]) == (1, 1)
    assert page["events"] == full["events"][1:2]
    html = client.get(f"/entities/{entity}", params={"limit": 1}).text
    assert html.count('class="event-link"') == 1
    assert f'id="events-more" href="/entities/{entity}?offset=1"' in html


# --- wording -----------------------------------------------------------------------------------------


def test_an_inferred_date_carries_one_question_mark(client: TestClient) -> None:
    article = client.get("/api/articles", params={"dated": "inferred"}).json()["rows"][0]
    html = client.get(f"/articles/{article['id']}").text
    published = html[html.index("<dt>Published</dt>") : html.index("<dt>Dates found</dt>")]
    text = re.sub(r"<[^>]+>", "", published)
    assert text.count("?") == 1 and 'data-testid="uncertain"' in published


def test_events_name_their_place_once_and_the_timeline_spaces_its_event_links(client: TestClient) -> None:
    for row in client.get("/api/events").json()["rows"]:
        if row["place"]:
            assert row["place"]["id"] not in [p["id"] for p in row["participants"]]
    html = client.get("/").text
    assert "Event:<" not in html and "Events:<" not in html
    assert not re.search(r" – \d{4}-\d{2}", client.get("/events").text)  # both ends in words


def test_an_untitled_article_is_named_by_its_first_words_or_its_file() -> None:
    text = "Flood waters rose overnight along the Marsh River as crews worked"
    assert article_label(Article(source="a.txt", raw_text=text, text=text)) == (
        "Flood waters rose overnight along the Marsh River …"
    )
    assert article_label(Article(source="/in/b.txt", raw_text="")) == "b.txt"
    assert article_label(Article(source="c", raw_text="x", title="A title", text="x")) == "A title"


def test_corrections_in_a_row_are_all_applied_with_one_rebuild_after_the_last(
    own_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(own_db))
    token = (client.get("/"), client.cookies["storyline_csrf"])[1]
    service = client.app.state.service  # type: ignore[attr-defined]
    builds = []
    build = service._build
    monkeypatch.setattr(service, "_build", lambda version: (builds.append(version), build(version))[1])
    release = threading.Event()
    monkeypatch.setattr(corrections, "reanchor_dates", lambda store, article_id: release.wait(timeout=60))
    rows = client.get("/api/articles", params={"dated": "inferred"}).json()["rows"][:2]
    for row, date in zip(rows, ("2025-03-12", "2025-03-14"), strict=False):
        posted = client.post(
            f"/api/articles/{row['id']}/date", json={"date": date}, headers={"X-CSRF-Token": token}
        )
        assert posted.status_code == 200 and posted.json()["date"]["value"] == date
    release.set()
    settle(client)
    assert len(builds) == 1  # the rebuild queued after the first correction waited for the second
    manual = client.get("/api/articles", params={"dated": "manual"}).json()["rows"]
    assert {a["id"] for a in manual} == {row["id"] for row in rows}

"""The web app against hostile article data and cross-site requests: escaping, CSP, CSRF, hosts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from storyline.analyse import analyse
from storyline.cli import cli
from storyline.config import Settings
from storyline.model import Article
from storyline.pipeline import ingest_articles
from storyline.store import open_store
from storyline.web import create_app
from storyline.web.security import CSP, is_local_host, safe_next

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"


def evil_article(n: int) -> Article:
    text = (
        f"{SCRIPT} Mayor {IMG} Elena Varga said on Monday, 10 March 2025, that the river <b>rose</b>.\n\n"
        f'"We will open the {SCRIPT} spillway tomorrow," said Varga in Riverton. {JS_URL} '
        f"The Alder River Authority confirmed it on 11 March 2025 {IMG}."
    )
    return Article(
        source=f"evil-{n}.txt",
        raw_text=text,
        title=f"Flood {SCRIPT} {IMG} {n}",
        outlet=f"Evil {SCRIPT} News {n}",
        url=JS_URL,
        extra={"note": IMG},
    )


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("evil") / "evil.db"
    with open_store(db) as store:
        ingest_articles([evil_article(n) for n in range(3)], store, Settings(db=db))
        analyse(store)
    return TestClient(create_app(db))


class _Tags(HTMLParser):
    """What a browser would make of the page: its tags and attributes (escaped text stays text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html and "<script" not in html, where  # the app has no script at all
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "b", "iframe"), (where, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript:"), (where, tag, value)


def test_every_view_escapes_hostile_article_data(evil_client: TestClient) -> None:
    client = evil_client
    urls = ["/", "/?show_hidden=1", "/events", "/entities", "/articles", "/search?q=alert", "/search?q=Varga"]
    articles = client.get("/api/articles").json()["rows"]
    assert len(articles) == 3
    urls += [f"/articles/{a['id']}" for a in articles]
    urls += [f"/events/{e['id']}" for e in client.get("/api/events").json()["rows"]]
    urls += [f"/entities/{e['id']}" for e in client.get("/api/entities").json()["rows"]]
    urls += ["/articles?q=" + SCRIPT, "/?q=" + IMG, "/events/" + SCRIPT, "/entities/" + IMG]
    shown = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_escaped(response.text, url)
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert shown >= len(articles), "the hostile strings are shown, escaped, not dropped"
    article = client.get(f"/articles/{articles[0]['id']}").text
    assert 'href="javascript' not in article and "Flood &lt;script&gt;" in article
    raw = client.get(f"/articles/{articles[0]['id']}/raw")
    assert raw.headers["content-type"].startswith("text/plain") and SCRIPT in raw.text
    assert raw.headers["x-content-type-options"] == "nosniff"


def test_links_are_only_http_and_downloads_stay_safe(evil_client: TestClient) -> None:
    for article in evil_client.get("/api/articles").json()["rows"]:
        assert article["url"] is None  # javascript: never becomes a link
    markdown = evil_client.get("/download/timeline.md").text
    assert "](javascript:" not in markdown
    for line in evil_client.get("/articles.csv").text.splitlines()[1:]:
        assert not re.search(r'(^|,)"?[=+@]', line)


def test_security_headers_on_every_kind_of_response(evil_client: TestClient) -> None:
    for url in ("/", "/api/timeline", "/static/style.css", "/articles.csv", "/nope", "/api/events/x"):
        headers = evil_client.get(url).headers
        assert headers["content-security-policy"] == CSP, url
        assert "default-src 'self'" in CSP and "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "no-referrer", url


def test_csrf_cookie_is_strict_and_matches_the_page(evil_client: TestClient) -> None:
    response = evil_client.get("/")
    cookie = response.headers["set-cookie"]
    assert (
        "storyline_csrf=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    token = evil_client.cookies["storyline_csrf"]
    assert f'<meta name="csrf-token" content="{token}">' in response.text
    assert f'name="csrf_token" value="{token}"' in response.text
    assert "set-cookie" not in evil_client.get("/api/timeline").headers


def test_writes_without_a_valid_token_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with open_store(db) as store:
        ingest_articles([evil_article(0)], store, Settings(db=db))
        analyse(store)
    app = create_app(db, secret="s3cret")
    client = TestClient(app)
    article = client.get("/api/articles").json()["rows"][0]["id"]
    form = f"/articles/{article}/date"

    fresh = TestClient(app)  # no cookie at all
    assert fresh.post(form, data={"date": "2025-01-01", "csrf_token": "x"}).status_code == 403
    assert fresh.post("/api/timeline/hide", json={"date": "2025-03-10"}).status_code == 403

    token = client.cookies.get("storyline_csrf") or (client.get("/") and client.cookies["storyline_csrf"])
    assert client.post(form, data={"date": "2025-01-01"}).status_code == 403
    assert client.post(form, data={"date": "2025-01-01", "csrf_token": token + "x"}).status_code == 403
    assert client.post("/api/timeline/hide", json={"date": "2025-03-10"}).status_code == 403
    assert (
        client.post(
            "/api/timeline/hide", json={"date": "2025-03-10"}, headers={"X-CSRF-Token": "forged.value"}
        ).status_code
        == 403
    )
    # A cookie the app did not sign (planted by another site) is refused even when the form matches it.
    planted = TestClient(app, cookies={"storyline_csrf": "abc.def"})
    assert planted.post(form, data={"date": "2025-01-01", "csrf_token": "abc.def"}).status_code == 403
    # Another app (another secret) does not accept this app's tokens.
    other = TestClient(create_app(db, secret="other"), cookies={"storyline_csrf": token})
    assert other.post(form, data={"date": "2025-01-01", "csrf_token": token}).status_code == 403
    assert client.get(f"/api/articles/{article}").json()["dated"] != "manual", "nothing was written"

    ok = client.post(form, data={"date": "2025-01-01", "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    assert client.get(f"/api/articles/{article}").json()["date"]["value"] == "2025-01-01"


def test_a_foreign_host_header_is_refused(evil_client: TestClient) -> None:
    assert evil_client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert evil_client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_redirects_stay_on_the_site() -> None:
    assert safe_next("/?q=x", "/") == "/?q=x"
    for target in ("//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", None):
        assert safe_next(target, "/") == "/"


def test_serve_binds_to_this_machine_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert is_local_host("127.0.0.1") and is_local_host("localhost") and is_local_host("::1")
    assert not is_local_host("0.0.0.0") and not is_local_host("192.168.1.5")
    db = tmp_path / "s.db"
    with open_store(db):
        pass
    started: list[tuple[str, int]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, host, port, **_: started.append((host, port)))
    runner = CliRunner()
    refused = runner.invoke(cli, ["serve", "--db", str(db), "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "--allow-remote" in refused.output and not started
    local = runner.invoke(cli, ["serve", "--db", str(db), "--port", "8765"])
    assert local.exit_code == 0 and started == [("127.0.0.1", 8765)]
    assert f"Serving {db} at http://127.0.0.1:8765/" in local.stderr
    remote = runner.invoke(cli, ["serve", "--db", str(db), "--host", "0.0.0.0", "--allow-remote"])
    assert remote.exit_code == 0 and started[-1] == ("0.0.0.0", 8000) and "warning" in remote.stderr
    missing = runner.invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "storyline build" in missing.output

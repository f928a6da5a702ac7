"""The web app in a real browser: `storyline build` then `storyline serve` as subprocesses, driven with
headless chromium (Debian's, through playwright).

What a user does: read the timeline, filter it, open an event and compare the outlets' reports side by side,
correct an article's inferred publication date and see every view follow; and what an attacker tries:
articles whose title, outlet, url and text carry scripts, attribute breakers and javascript: URLs must
show as text in every view.

Screenshots of the main pages go to $STORYLINE_SCREENSHOTS when it is set. Skipped with the reason when
chromium or playwright is missing, unless STORYLINE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import LAVROV
from web_util import (
    BROWSER_ARGS,
    CHROMIUM,
    CorpusBuild,
    get_json,
    require_browser,
    require_serve,
    serve,
    write_xss_corpus,
)

SCREENSHOTS = os.environ.get("STORYLINE_SCREENSHOTS")
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = require_browser()
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusBuild]:
    """Both corpora building at once (each build loads spaCy; the two cores share the wait)."""
    require_serve()
    out = tmp_path_factory.mktemp("sites")
    started = {"xss": CorpusBuild([write_xss_corpus(out / "xss-in")], out / "xss")}
    if LAVROV.is_dir():
        started["lavrov"] = CorpusBuild([LAVROV], out / "lavrov")
    return started


@pytest.fixture(scope="module")
def lavrov_site(builds: dict[str, CorpusBuild]) -> Iterator[str]:
    if "lavrov" not in builds:
        pytest.skip(f"the Lavrov corpus is not beside this checkout: {LAVROV} not found")
    build = builds["lavrov"]
    with serve(build.db(), build.out / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def xss_site(builds: dict[str, CorpusBuild]) -> Iterator[str]:
    build = builds["xss"]
    with serve(build.db(), build.out / "serve.log") as base:
        yield base


class Tab:
    """A fresh browser context and page that records every dialog the page opens."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

    def goto(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == status, (
            f"{path}: HTTP {response and response.status}"
        )
        return response

    def testid(self, name: str) -> Any:
        return self.page.locator(f'[data-testid="{name}"]')

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            folder = Path(SCREENSHOTS)
            self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            self.page.screenshot(path=str(folder / f"{name}-top.png"))


@pytest.fixture
def tab(browser: Any, lavrov_site: str) -> Iterator[Tab]:
    t = Tab(browser, lavrov_site)
    yield t
    t.context.close()


def entry_dates(tab: Tab) -> list[str]:
    return tab.page.locator('[data-testid="entry"]').evaluate_all("els => els.map(e => e.dataset.date)")


def entry_texts(tab: Tab) -> list[str]:
    return tab.page.locator('[data-testid="entry"]').all_inner_texts()


# --------------------------------------------------------------------------------------------- timeline


@pytest.mark.shared
def test_timeline_shows_dated_entries_top_to_bottom(tab: Tab) -> None:
    tab.goto("/")
    dates = entry_dates(tab)
    assert dates, "the timeline shows no entry"
    # ISO dates as precise as the entry's date is known (a month-only entry has YYYY-MM).
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d) for d in dates), dates
    assert dates == sorted(dates)
    assert tab.testid("entry-count").inner_text().strip() == str(len(dates))
    assert tab.testid("histogram").is_visible()
    for name in ("Timeline", "Events", "Entities", "Articles", "Search"):
        assert tab.page.locator("nav a", has_text=name).count() >= 1, f"no nav link {name}"
    assert tab.page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert tab.dialogs == []
    tab.screenshot("timeline")


@pytest.mark.shared
def test_filtering_the_timeline_keeps_only_matching_entries(tab: Tab) -> None:
    tab.goto("/")
    texts = entry_texts(tab)
    # A word some entries have and others lack, so that the filter has something to remove.
    candidates = ["Ukraine", "Putin", "Xi", "Beijing", "Wang Yi", "Moscow", "pandemic", "strategic"]
    query = next((w for w in candidates if 0 < sum(w.lower() in t.lower() for t in texts) < len(texts)), None)
    assert query, f"no candidate word splits the {len(texts)} entries"
    form = tab.page.locator("form#filters")
    form.locator('input[name="q"]').fill(query)
    with tab.page.expect_navigation():
        form.locator("#apply-filters").click()
    assert f"q={quote(query).replace('%20', '+')}" in tab.page.url or f"q={quote(query)}" in tab.page.url
    kept = entry_texts(tab)
    assert 0 < len(kept) < len(texts), f"filter {query!r} kept {len(kept)} of {len(texts)} entries"
    assert all(query.lower() in t.lower() for t in kept), kept
    assert tab.testid("entry-count").inner_text().strip() == str(len(kept))
    # The form keeps what was typed, so the user sees which filter is on.
    assert form.locator('input[name="q"]').input_value() == query


@pytest.mark.shared
def test_filtering_by_dates_keeps_only_entries_inside(tab: Tab) -> None:
    tab.goto("/")
    dates = entry_dates(tab)
    start = dates[len(dates) // 2][:7]  # from the month of the middle entry on
    form = tab.page.locator("form#filters")
    form.locator('input[name="start"]').fill(start)
    with tab.page.expect_navigation():
        form.locator("#apply-filters").click()
    kept = entry_dates(tab)
    assert kept and len(kept) < len(dates)
    assert all(d[:7] >= start for d in kept), (start, kept)


# --------------------------------------------------------------------------------------------- event


@pytest.mark.shared
def test_event_page_puts_outlet_reports_side_by_side(tab: Tab) -> None:
    tab.goto("/")
    links = tab.page.locator("a.event-link")
    assert links.count() > 0
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    # The event the most outlets reported, found through the API twin of each event page.
    reports = {href: len(get_json(tab.base + "/api" + href).get("reports", [])) for href in set(hrefs)}
    href = max(sorted(reports), key=lambda h: reports[h])
    with tab.page.expect_navigation():
        links.nth(hrefs.index(href)).click()
    assert tab.page.url.endswith(href)
    assert tab.testid("event-title").inner_text().strip()
    sections = tab.page.locator('[data-testid="outlet-report"]')
    outlets = sections.evaluate_all("els => els.map(e => e.dataset.outlet)")
    assert len(outlets) == len(set(outlets)) >= 1
    int(tab.testid("independent-sources").inner_text())
    tab.screenshot("event")
    if len(outlets) < 2:
        pytest.fail(f"no event of the Lavrov corpus has two outlets' reports: {reports}")
    boxes = [sections.nth(i).bounding_box() for i in range(min(len(outlets), 2))]
    first, second = boxes
    assert first and second
    # Side by side: the two boxes share a row (their vertical spans overlap) and do not overlap across.
    assert first["y"] < second["y"] + second["height"] and second["y"] < first["y"] + first["height"], boxes
    assert first["x"] + first["width"] <= second["x"] + 1, boxes


# --------------------------------------------------------------------------------------------- article


@pytest.mark.shared
def test_correcting_an_inferred_date_updates_every_view(tab: Tab) -> None:
    articles = get_json(tab.base + "/api/articles?dated=inferred")
    items = articles["rows"]
    assert items, "the Lavrov corpus has articles with an inferred date"
    article_id = items[0]["id"]
    tab.goto(f"/articles/{article_id}")
    assert tab.testid("date-method").inner_text().strip() in {"text", "corpus"}
    before = tab.testid("published").inner_text().strip()
    tab.screenshot("article")
    new_date = "2024-04-12" if not before.startswith("2024-04-12") else "2024-04-13"
    form = tab.page.locator("form#date-form")
    form.locator('input[name="date"]').fill(new_date)
    with tab.page.expect_navigation():
        form.locator("#save-date").click()
    assert tab.page.url.split("?")[0].endswith(f"/articles/{article_id}")
    assert tab.testid("published").inner_text().strip() == new_date
    assert tab.testid("date-method").inner_text().strip() == "manual"
    tab.screenshot("article-corrected")
    # The article itself follows at once; the lists once the app's background update has finished
    # (pages say "Updating" meanwhile), without a restart.
    api = get_json(f"{tab.base}/api/articles/{article_id}")
    assert _published(api) == new_date, api
    wait_until_updated(tab.base)
    manual = get_json(tab.base + "/api/articles?dated=manual")
    assert article_id in {a["id"] for a in manual["rows"]}
    tab.goto("/articles?dated=manual")
    assert tab.page.locator(f'a[href="/articles/{article_id}"]').count() >= 1
    timeline = get_json(tab.base + "/api/timeline")
    assert new_date in str(timeline), "the timeline does not cite the corrected date"


def wait_until_updated(base: str, timeout: float = 120.0) -> None:
    """Wait until the app has applied a correction's follow-up and rebuilt its views."""
    deadline = time.monotonic() + timeout
    while get_json(base + "/api/status")["updating"]:
        assert time.monotonic() < deadline, f"the app was still updating after {timeout} s"
        time.sleep(0.2)


def _published(api: dict[str, Any]) -> str | None:
    return api["date"]["value"] if api.get("date") else None


# --------------------------------------------------------------------------------------------- XSS

INJECTED = """() => {
  const found = [];
  const planted = 'img[src="x"], iframe, object, embed, svg[onload], svg script';
  for (const el of document.querySelectorAll(planted)) found.push(el.outerHTML);
  for (const s of document.scripts) {
    const src = s.getAttribute('src') || '';
    if (!src.startsWith('/static/')) found.push('script: ' + (src || s.textContent.slice(0, 80)));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name + '=' + a.value);
      if (/^\\s*javascript:/i.test(a.value) && ['href', 'src', 'action', 'formaction'].includes(a.name))
        found.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  return found;
}"""


def test_hostile_text_stays_text_in_every_view(browser: Any, xss_site: str) -> None:
    t = Tab(browser, xss_site)
    try:
        events = get_json(xss_site + "/api/events")
        entities = get_json(xss_site + "/api/entities")
        articles = get_json(xss_site + "/api/articles")
        paths = ["/", "/events", "/entities", "/articles", "/search?q=script", "/search?q=Okafor"]
        paths += [f"/events/{quote(e['id'], safe='')}" for e in _items(events)]
        paths += [f"/entities/{quote(e['id'], safe='')}" for e in _items(entities)]
        paths += [f"/articles/{quote(a['id'], safe='')}" for a in _items(articles)]
        assert len(paths) > 8, paths
        for path in paths:
            response = t.goto(path)
            csp = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in csp, f"{path}: CSP {csp!r}"
            injected = t.page.evaluate(INJECTED)
            assert injected == [], f"{path}: injected markup {injected}"
            if path == "/" or path.startswith("/articles/"):
                t.screenshot("xss" + ("-article" if path != "/" else "-timeline"))
        # The payloads were shown as text somewhere (the views did not just drop them).
        t.goto(f"/articles/{quote(_items(articles)[0]['id'], safe='')}")
        assert "<script>" in t.page.inner_text("body") or "<img" in t.page.inner_text("body")
        assert t.dialogs == [], t.dialogs
    finally:
        t.context.close()


def _items(payload: Any) -> list[dict[str, Any]]:
    return payload["rows"]


def test_injection_detector_sees_planted_markup(browser: Any) -> None:
    """The DOM check above must find each payload when it is rendered unescaped (a control)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<html><body><p>x<img src=x onerror="1"></p><a href=" JavaScript:alert(1)">a</a>'
            "<script>var a = 1;</script><script src='/static/app.js'></script>"
            "<svg onload='1'></svg></body></html>"
        )
        found = page.evaluate(INJECTED)
        assert any("img" in f.lower() for f in found)
        assert any("javascript:" in f.lower() for f in found)
        assert any(f.startswith("script: var a") for f in found)
        assert any("onload" in f for f in found)
        assert not any("/static/app.js" in f for f in found)
    finally:
        context.close()

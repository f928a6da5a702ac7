"""The timeline as one self-contained ``index.html``: open it offline, or mail it.

Everything is inline (CSS, an SVG histogram, one small script); nothing is fetched from anywhere.  All text
from articles is untrusted: the template autoescapes every value, no article-derived text ever goes into
the script, a style or an event handler, and only http(s) URLs become links.  A Content-Security-Policy
that allows only our own script (by hash) backs this up should escaping ever be missed.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from .bundle import (
    INFERRED_DATE_NOTE,
    ExportBundle,
    article_link,
    citation_date,
    citation_label,
    entry_events,
    human_date,
    is_approximate,
    precision_of,
    status_label,
)
from .coverage import HEIGHT, WIDTH, count_coverage, layout
from .timelinejs import unique_id

_CSS = """
:root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--accent:#2458a6;--warn:#a65b00;--bg:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--muted:#aaa;--line:#444;--accent:#8ab4f8;
--warn:#f0b060;--bg:#161618}}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);
max-width:56rem;margin:0 auto;padding:1rem 1.25rem 4rem}
h1{font-size:1.7rem;margin:.5rem 0}h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:1px solid var(--line)}
.meta,.note,small{color:var(--muted)}a{color:var(--accent)}
.filters{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center;position:sticky;top:0;background:var(--bg);
padding:.5rem 0;border-bottom:1px solid var(--line)}
.filters input,.filters select,.filters button{font:inherit;padding:.25rem .5rem}
.filters input{flex:1 1 14rem}
.entry{border-left:3px solid var(--accent);padding:.25rem 0 .25rem 1rem;margin:1.5rem 0}
.entry h3{margin:0;font-size:1.1rem}.entry ul{margin:.4rem 0;padding-left:1.2rem}
.uncertain,.approx{color:var(--warn);cursor:help;text-decoration:underline dotted}
.badge{display:inline-block;font-size:.8rem;padding:0 .4rem;border:1px solid var(--line);border-radius:.6rem}
.badge.verified{border-color:#2a7a2a}.badge.single{border-color:var(--warn)}
.status-planned,.status-past{color:var(--warn);font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .4rem;text-align:left;vertical-align:top}
svg .bar{fill:var(--accent)}svg .bar.inferred{fill:var(--warn)}svg .bar:hover{opacity:.7;cursor:pointer}
svg text{fill:var(--muted);font-size:11px}
"""

# Our one script. It reads only the page's own DOM; no article text is ever written into it.
_SCRIPT = """
(function () {
  var text = document.getElementById("filter-text");
  var outlet = document.getElementById("filter-outlet");
  var clear = document.getElementById("filter-clear");
  var count = document.getElementById("filter-count");
  var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
  var datePrefix = "";
  function outletsOf(entry) {
    return Array.prototype.map.call(entry.querySelectorAll("[data-outlet]"), function (el) {
      return el.getAttribute("data-outlet");
    });
  }
  function apply() {
    var needle = text.value.trim().toLowerCase();
    var wanted = outlet.value;
    var shown = 0;
    entries.forEach(function (entry) {
      var ok = (!needle || entry.textContent.toLowerCase().indexOf(needle) >= 0) &&
        (!wanted || outletsOf(entry).indexOf(wanted) >= 0) &&
        (!datePrefix || entry.getAttribute("data-date").indexOf(datePrefix) === 0);
      entry.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + entries.length + " dates shown" +
      (datePrefix ? " (from " + datePrefix + ")" : "");
  }
  Array.prototype.forEach.call(document.querySelectorAll("svg [data-prefix]"), function (bar) {
    bar.addEventListener("click", function () { datePrefix = bar.getAttribute("data-prefix"); apply(); });
  });
  text.addEventListener("input", apply);
  outlet.addEventListener("change", apply);
  clear.addEventListener("click", function () {
    text.value = ""; outlet.value = ""; datePrefix = ""; apply();
  });
  apply();
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="storyline {{ bundle.storyline_version }}">
<title>{{ timeline.title }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
<h1>{{ timeline.title }}</h1>
<p class="meta">{{ timeline.entries|length|counted("date") }}, {{ timeline.events|length|counted("event") }},
{{ bundle.articles|length|counted("article") }} from {{ outlets|length|counted("outlet") }}.
Generated {{ bundle.generated_at }} by storyline {{ bundle.storyline_version }}.
A <span class="uncertain">?</span> marks a date inferred rather than stated;
<span class="approx">(approx.)</span> a date known only to the month or year.</p>
</header>

<section aria-labelledby="coverage">
<h2 id="coverage">Coverage over time</h2>
{% if histogram.bars %}
<svg viewBox="0 0 {{ histogram.width }} {{ histogram.height + 30 }}" width="100%" role="img"
 aria-label="Articles per {{ histogram.unit }}">
{% for bar in histogram.bars %}<rect class="bar{% if bar.inferred %} inferred{% endif %}" x="{{ bar.x }}"
 y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" data-prefix="{{ bar.period }}"><title>{{
 bar.title }}</title></rect>
{% endfor %}<text x="0" y="{{ histogram.height + 16 }}">{{ histogram.first }}</text>
<text x="{{ histogram.width }}" y="{{ histogram.height + 16 }}" text-anchor="end">{{ histogram.last }}</text>
</svg>
<p class="note">Articles per {{ histogram.unit }} by publication date (orange: dates inferred);
click a bar to show that {{ histogram.unit }}.{% if histogram.unplaced %}
{{ histogram.unplaced|counted("article") }} have no date at that precision and are not shown.{% endif %}</p>
{% else %}
<p class="note">No article has a publication date.</p>
{% endif %}
</section>

<section aria-labelledby="timeline">
<h2 id="timeline">Timeline</h2>
<div class="filters">
<input id="filter-text" type="search" placeholder="Filter by text…" aria-label="Filter entries by text">
<select id="filter-outlet" aria-label="Filter entries by outlet">
<option value="">All outlets</option>
{% for outlet in outlets %}<option value="{{ outlet }}">{{ outlet }}</option>
{% endfor %}</select>
<button id="filter-clear" type="button">Clear</button>
<span id="filter-count" class="note"></span>
</div>
{% for item in entries %}
<article class="entry" id="{{ item.id }}" data-date="{{ item.entry.date }}">
<h3><time datetime="{{ item.entry.date }}">{{ item.date }}</time>
{%- if item.entry.date_uncertain %} <abbr class="uncertain" title="{{ inferred_note }}">?</abbr>{% endif %}
{%- if item.approx %} <span class="approx" title="Only the {{ item.entry.date_precision }} is known">
(approx.)</span>{% endif %}
</h3>
<ul>
{% for sentence in item.sentences %}<li>{{ sentence.text }} <cite>(
{%- if sentence.link %}<a href="{{ sentence.link }}" rel="noopener noreferrer">{{ sentence.label }}</a>
{%- else %}{{ sentence.label }}{% endif %}
{%- if sentence.number %} <a href="#S{{ sentence.number }}">S{{ sentence.number }}</a>{% endif %})</cite></li>
{% endfor %}</ul>
<p><small>Outlets: {% for outlet in item.entry.outlets %}<span data-outlet="{{ outlet }}">{{ outlet }}</span>
{%- if not loop.last %}, {% endif %}{% else %}unknown{% endfor %} ·
{{ item.entry.independent_sources }} independent ·
<span class="badge {{ 'verified' if item.entry.independent_sources >= 2 else 'single' }}">{{
 item.entry.verification }}</span>
{%- if item.events %} · Events: {% for event in item.events -%}
<a href="#{{ event.anchor }}">{{ event.title }}</a>
{%- if not loop.last %}; {% endif %}{% endfor %}{% endif %}</small></p>
</article>
{% else %}
<p class="note">The timeline is empty.</p>
{% endfor %}
</section>

<section aria-labelledby="events">
<h2 id="events">Events</h2>
{% if events %}
<table>
<thead><tr><th>Date</th><th>Status</th><th>Event</th><th>Place</th><th>Participants</th><th>Sources</th></tr></thead>
<tbody>
{% for event in events %}<tr id="{{ event.anchor }}">
<td><time datetime="{{ event.event.date }}">{{ event.date }}</time>{% if event.approx %}
 <span class="approx" title="Only the {{ event.event.date_precision }} is known">(approx.)</span>{% endif %}
{%- if event.end_date %} – <time datetime="{{ event.event.end_date }}">{{ event.end_date }}</time>
{%- endif %}</td>
<td class="status-{{ event.event.status }}">{{ event.status }}</td>
<td>{{ event.event.title }}</td><td>{{ event.place or "" }}</td><td>{{ event.participants|join(", ") }}</td>
<td>{{ event.event.articles|length|counted("article") }},
{{ event.event.independent_sources }} independent</td>
</tr>
{% endfor %}</tbody>
</table>
{% else %}
<p class="note">No events.</p>
{% endif %}
</section>

<section aria-labelledby="sources">
<h2 id="sources">Sources</h2>
<table>
<thead><tr><th>#</th><th>Title</th><th>Outlet</th><th>Published</th><th>Link</th><th>Duplicate of</th>
</tr></thead>
<tbody>
{% for source in sources %}<tr id="S{{ source.number }}">
<td>S{{ source.number }}</td><td>{{ source.article.title or "(untitled)" }}</td>
<td>{{ source.article.outlet or "" }}</td>
<td>{% if source.inferred %}<abbr class="uncertain" title="{{ source.date_note }}">{{ source.date }}</abbr>
{%- else %}{{ source.date }}{% endif %}</td>
<td>{% if source.link %}<a href="{{ source.link }}" rel="noopener noreferrer">{{ source.link }}</a>
{%- else %}<small>{{ source.article.source }}</small>{% endif %}</td>
<td>{% if source.duplicate_of %}<a href="#S{{ source.duplicate_of }}">S{{ source.duplicate_of }}</a>
{%- endif %}</td>
</tr>
{% endfor %}</tbody>
</table>
</section>
<script>{{ script }}</script>
</body>
</html>
"""

_ENV = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)
_ENV.filters["counted"] = lambda number, noun: f"{number} {noun}{'' if number == 1 else 's'}"
_PAGE = _ENV.from_string(_TEMPLATE)


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def render_html(bundle: ExportBundle) -> str:
    """The page as a string (see :func:`write_html`)."""
    timeline = bundle.timeline
    outlets = sorted(
        {outlet for entry in timeline.entries for outlet in entry.outlets}
        | {a.outlet for a in bundle.articles if a.outlet},
        key=str.casefold,
    )
    return _PAGE.render(
        bundle=bundle,
        timeline=timeline,
        outlets=outlets,
        css=Markup(_CSS),
        script=Markup(_SCRIPT),
        csp=Markup(_csp()),  # our constant, no data
        inferred_note=INFERRED_DATE_NOTE,
        histogram=_histogram(bundle),
        entries=[_entry_view(bundle, entry) for entry in timeline.entries],
        events=[_event_view(bundle, event) for event in timeline.events],
        sources=[_source_view(bundle, number, a) for number, a in enumerate(bundle.articles, start=1)],
    )


def write_html(bundle: ExportBundle, path: str | Path) -> Path:
    """Write the self-contained page; ``path`` may be a folder (then ``index.html`` inside it)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(bundle), encoding="utf-8", errors="replace")
    return path


def _event_anchor(event_id: str) -> str:
    # Event ids come from the generation stage; an anchor made from their hash is always a safe id.
    return "event-" + hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _entry_view(bundle: ExportBundle, entry: Any) -> dict[str, Any]:
    sentences = [
        {
            "text": " ".join(ref.text.split()),
            "label": citation_label(bundle, ref.article_id),
            "link": article_link(bundle.article(ref.article_id)),
            "number": bundle.source_number(ref.article_id),
        }
        for ref in entry.summary
    ]
    return {
        "entry": entry,
        "id": unique_id(entry),
        "date": human_date(entry.date, entry.date_precision),
        "approx": is_approximate(entry.date_precision),
        "sentences": sentences,
        "events": [
            {"title": event.title, "anchor": _event_anchor(event.id)} for event in entry_events(bundle, entry)
        ],
    }


def _event_view(bundle: ExportBundle, event: Any) -> dict[str, Any]:
    return {
        "event": event,
        "anchor": _event_anchor(event.id),
        "date": human_date(event.date, event.date_precision),
        "approx": is_approximate(event.date_precision),
        "end_date": human_date(event.end_date, precision_of(event.end_date)) if event.end_date else None,
        "status": status_label(event.status),
        "place": bundle.entity_name(event.place),
        "participants": [bundle.entity_name(p) for p in event.participants],
    }


def _source_view(bundle: ExportBundle, number: int, article: Any) -> dict[str, Any]:
    date = article.publication_date
    return {
        "number": number,
        "article": article,
        "date": citation_date(date) + (f" ({date.method})" if date else ""),
        "inferred": bool(date and date.inferred),
        "date_note": f"Inferred ({date.method}): {date.evidence}" if date and date.inferred else "",
        "link": article_link(article),
        "duplicate_of": bundle.source_number(article.duplicate_of) if article.duplicate_of else None,
    }


# --- the coverage histogram -------------------------------------------------------------------------


def _histogram(bundle: ExportBundle) -> dict[str, Any]:
    counted = count_coverage(a.publication_date for a in bundle.articles)
    periods = counted.periods
    return {
        "bars": layout(periods),
        "unit": counted.unit,
        "width": WIDTH,
        "height": HEIGHT,
        "first": periods[0].period if periods else "",
        "last": periods[-1].period if periods else "",
        "unplaced": counted.unplaced,
    }

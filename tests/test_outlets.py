"""Outlets: one normalised name per outlet, from a name found anywhere or the article's URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.model import Article, FieldMethod
from storyline.stages.clean import clean_article
from storyline.stages.outlets import KNOWN_OUTLETS, OUTLETS_VERSION, normalise_outlet, outlet_stage

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "lavrov-china"


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("globaltimes.cn", None, "Global Times"),
        ("www.globaltimes.cn", None, "Global Times"),
        ("Global Times", None, "Global Times"),
        ("GLOBAL TIMES", None, "Global Times"),
        ("Global Times.", None, "Global Times"),
        (None, "https://www.globaltimes.cn/page/202202/1251395.shtml", "Global Times"),
        (None, "https://edition.cnn.com/2024/04/08/world/story", "CNN"),
        (None, "https://www.bbc.co.uk/news/world-asia-123", "BBC"),
        ("Agence France-Presse", None, "AFP"),
        ("AP", None, "Associated Press"),
        ("The Associated Press", None, "Associated Press"),
        ("nytimes.com", None, "The New York Times"),
        ("TDI", None, "The Diplomatic Insight"),
        ("Xinhua News Agency", None, "Xinhua"),
        ("Al Jazeera English", None, "Al Jazeera"),
        # Unknown: a name is kept (tidied), a host stays a host without "www.".
        (None, "https://www.thediplomaticinsight-example.com/a", "thediplomaticinsight-example.com"),
        ("  Lianhe   Morning Post ", None, "Lianhe Morning Post"),
        ("KATHMANDU POST", None, "Kathmandu Post"),
        ("NHK", None, "NHK"),
        ("https://www.unknown-news.org/x", None, "unknown-news.org"),
        # A name found beats the URL; nothing gives nothing.
        ("Reuters", "https://www.example.com/a", "Reuters"),
        (None, None, None),
        ("", "not a url", None),
    ],
)
def test_normalise_outlet(name: str | None, url: str | None, expected: str | None) -> None:
    assert normalise_outlet(name, url) == expected


def test_every_known_outlet_maps_to_itself() -> None:
    for outlet, aliases in KNOWN_OUTLETS.items():
        assert normalise_outlet(outlet, None) == outlet
        for alias in aliases:
            assert normalise_outlet(alias, None) == outlet, alias


def test_outlet_stage_keeps_the_method_and_records_its_version() -> None:
    article = Article(source="a.txt", raw_text="x", outlet="GLOBAL TIMES", outlet_method=FieldMethod.SIGN_OFF)
    staged = outlet_stage(article)
    assert (staged.outlet, staged.outlet_method) == ("Global Times", FieldMethod.SIGN_OFF)
    assert staged.stage_versions["outlets"] == OUTLETS_VERSION
    from_url = outlet_stage(Article(source="b.txt", raw_text="x", url="https://www.reuters.com/world/x"))
    assert (from_url.outlet, from_url.outlet_method) == ("Reuters", FieldMethod.URL)
    nothing = outlet_stage(Article(source="c.txt", raw_text="x"))
    assert (nothing.outlet, nothing.outlet_method) == (None, None)


@pytest.mark.shared
def test_lavrov_outlets() -> None:
    paths = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    if len(paths) < 5:
        pytest.skip(f"the Lavrov corpus is not beside this checkout: {CORPUS}")
    outlets = {}
    for path in paths:
        article = outlet_stage(clean_article(Article(source=str(path), raw_text=path.read_text("utf-8"))))
        outlets[path.name[:3]] = (article.outlet, article.outlet_method)
    assert outlets["002"] == ("Global Times", FieldMethod.SIGN_OFF)
    assert outlets["003"] == ("The Diplomatic Insight", FieldMethod.DATELINE)

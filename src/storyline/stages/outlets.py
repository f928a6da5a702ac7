"""The outlet of an article as one normalised name, whichever way it was found.

Readers and the clean stage find an outlet in metadata (a site name, a column), a URL's host name, a
dateline tag ("(TDI)") or a sign-off line ("Global Times."), and record how in ``outlet_method``. This
stage turns what they found into one name per outlet, so "globaltimes.cn", "www.globaltimes.cn",
"Global Times" and "GLOBAL TIMES" all read "Global Times":

1. a name or host in the table of well-known outlets gives that outlet's name (a host matches its
   registered domain and any subdomain: "edition.cnn.com" is CNN);
2. an unknown name is kept, its spaces tidied (an all-capitals name of more than five letters is
   title-cased; a short one is an acronym and stays);
3. an unknown host stays a host name, without "www." ("thediplomaticinsight.com"): guessing word breaks
   in "thediplomaticinsight" would make up a name, and a domain is at least a true, checkable one.

A name that is itself a host name ("globaltimes.cn") is read as a host.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..model import Article, FieldMethod

OUTLETS_VERSION = "1"

# Outlet name -> names and domains it goes by (names compared case- and punctuation-insensitively).
KNOWN_OUTLETS: dict[str, tuple[str, ...]] = {
    "Reuters": ("reuters", "thomson reuters", "reuters.com"),
    "Associated Press": ("ap", "associated press", "the associated press", "ap news", "apnews.com"),
    "AFP": ("afp", "agence france-presse", "agence france presse", "afp.com"),
    "Xinhua": ("xinhua", "xinhua news agency", "xinhuanet", "xinhuanet.com", "news.cn", "english.news.cn"),
    "TASS": ("tass", "tass news agency", "tass.com", "tass.ru"),
    "RIA Novosti": ("ria novosti", "ria", "ria.ru"),
    "BBC": ("bbc", "bbc news", "bbc.com", "bbc.co.uk"),
    "CNN": ("cnn", "cnn.com"),
    "The Guardian": ("guardian", "the guardian", "theguardian.com"),
    "The New York Times": ("nyt", "new york times", "the new york times", "nytimes.com"),
    "The Washington Post": ("washington post", "the washington post", "washingtonpost.com"),
    "The Wall Street Journal": ("wsj", "wall street journal", "the wall street journal", "wsj.com"),
    "Bloomberg": ("bloomberg", "bloomberg news", "bloomberg.com"),
    "Financial Times": ("ft", "financial times", "the financial times", "ft.com"),
    "Global Times": ("global times", "globaltimes", "globaltimes.cn"),
    "China Daily": ("china daily", "chinadaily.com.cn"),
    "CGTN": ("cgtn", "cgtn.com"),
    "South China Morning Post": ("scmp", "south china morning post", "scmp.com"),
    "Al Jazeera": ("al jazeera", "aljazeera", "al jazeera english", "aljazeera.com", "aljazeera.net"),
    "Deutsche Welle": ("dw", "deutsche welle", "dw.com"),
    "France 24": ("france 24", "france24", "france24.com"),
    "RT": ("rt", "russia today", "rt.com"),
    "Sputnik": ("sputnik", "sputnik news", "sputniknews.com"),
    "Kyodo News": ("kyodo", "kyodo news", "english.kyodonews.net", "kyodonews.net"),
    "Yonhap": ("yonhap", "yonhap news agency", "en.yna.co.kr", "yna.co.kr"),
    "The Diplomat": ("the diplomat", "thediplomat.com"),
    "The Diplomatic Insight": ("tdi", "the diplomatic insight", "thediplomaticinsight.com"),
    "Lianhe Zaobao": ("lianhe zaobao", "zaobao", "zaobao.com", "zaobao.com.sg"),
    "NPR": ("npr", "npr.org"),
    "NBC News": ("nbc news", "nbcnews.com"),
    "CBS News": ("cbs news", "cbsnews.com"),
    "ABC News": ("abc news", "abcnews.go.com"),
    "Fox News": ("fox news", "foxnews.com"),
    "Politico": ("politico", "politico.com", "politico.eu"),
    "Axios": ("axios", "axios.com"),
    "The Economist": ("economist", "the economist", "economist.com"),
    "The Times of India": ("times of india", "the times of india", "timesofindia.indiatimes.com"),
    "Dawn": ("dawn", "dawn.com"),
    "Nikkei Asia": ("nikkei", "nikkei asia", "asia.nikkei.com"),
}

_BY_NAME: dict[str, str] = {}
_BY_DOMAIN: dict[str, str] = {}
for _outlet, _names in KNOWN_OUTLETS.items():
    for _name in (_outlet, *_names):
        if "." in _name and " " not in _name:
            _BY_DOMAIN[_name] = _outlet
        else:
            _BY_NAME[re.sub(r"[^a-z0-9]+", " ", _name.lower()).strip()] = _outlet

_HOST_LIKE = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", re.IGNORECASE)
_ACRONYM_MAX = 5


def _host(url: str) -> str | None:
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host and "." in host else None


@lru_cache(maxsize=4096)
def _known_host(host: str) -> str | None:
    labels = host.lower().split(".")
    for i in range(len(labels) - 1):  # "edition.cnn.com", then "cnn.com"
        outlet = _BY_DOMAIN.get(".".join(labels[i:]))
        if outlet:
            return outlet
    return None


def _tidy_name(name: str) -> str:
    name = " ".join(name.split()).strip(" .,;:-–—|()[]")
    letters = [c for c in name if c.isalpha()]
    if name.isupper() and len(letters) > _ACRONYM_MAX:
        return name.title()
    return name


def normalise_outlet(name: str | None, url: str | None) -> str | None:
    """One name for an outlet from the name found (if any) and the article's URL (if any)."""
    name = (name or "").strip()
    if name:
        if _HOST_LIKE.fullmatch(name.removeprefix("www.")) or "://" in name:
            host = _host(name)
            if host:
                return _known_host(host) or host
        known = _BY_NAME.get(re.sub(r"[^a-z0-9]+", " ", name.lower()).strip())
        if known:
            return known
        tidy = _tidy_name(name)
        if tidy:
            return tidy
    host = _host(url) if url else None
    if host:
        return _known_host(host) or host
    return None


def outlet_stage(article: Article) -> Article:
    """The article with its outlet normalised; an outlet only its URL gives is set (method ``url``)."""
    outlet = normalise_outlet(article.outlet, article.url)
    method = article.outlet_method
    if article.outlet is None and outlet is not None:
        method = FieldMethod.URL
    return article.evolve(
        outlet=outlet,
        outlet_method=method,
        stage_versions={**article.stage_versions, "outlets": OUTLETS_VERSION},
    )

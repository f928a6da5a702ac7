"""Line rules: which whole lines of an article are web furniture rather than news.

Every rule matches an exact widget phrase or a label followed by a short text, and all of them give up on
lines longer than a few words, so a sentence of news that merely contains "Follow", "Share" or "Comments"
is never taken out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WIDGET_WORDS = 12  # share widgets, photo credits
MAX_COMMENT_FORM_WORDS = 20  # only exact phrases ("Save my name, email, and website in this browser ...")
MAX_TEASER_WORDS = 15  # "Also Read: <headline>"
MAX_COPYRIGHT_WORDS = 20
MAX_SIGN_OFF_WORDS = 20  # "Reporting by ...; Editing by ..."
MAX_OUTLET_WORDS = 5  # "Global Times."
MAX_TITLE_WORDS = 20
MAX_TITLE_CHARS = 200


def _exact(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(patterns) + r")$", re.IGNORECASE)


_SOCIAL = (
    r"facebook|twitter|x|whatsapp|linkedin|telegram|reddit|pinterest|tumblr|pocket|messenger|viber"
    r"|vk|weibo|wechat|threads|bluesky|instagram|youtube|e-?mail|print|copy link|more"
)

_COMMENT_FORM = _exact(
    r"leave a (?:reply|comment)(?: to .{1,60}?)?(?: cancel reply)?",
    r"(?:post|add|write|submit)(?: a| your)? comments?",
    r"(?:\d+ |no |show |view |load |read )?comments?(?: \(\d+\))?(?: yet)?",
    r"join the (?:conversation|discussion)",
    r"your email address will not be published\.?(?: required fields are marked \*)?",
    r"required fields are marked \*",
    r"cancel reply",
    r"(?:comment|name|email|e-mail|website|url)\s*\*|website",
    r"save my name, email, and website in this browser for the next time i comment\.?",
    r"you must be (?:logged|signed) in to post a comment\.?",
    r"(?:log|sign) in to (?:comment|reply)",
    r"notify me of (?:new|follow-up) (?:comments|posts).{0,40}",
    r"this site uses akismet to reduce spam\..{0,60}",
)
_SHARE_WIDGET = _exact(
    r"follow(?: us)?(?: on [\w ,&]{1,60})?",
    r"follow us on (?:" + _SOCIAL + r"|social media|google news)\b[\w ,&'-]{0,80}[.!]?",
    r"follow (?:@\w+|[\w ]{1,30} on (?:" + _SOCIAL + r"|google news))",
    r"share(?: this| the)?(?: article| story| post| page)?",
    r"share (?:on|via|to|with) (?:" + _SOCIAL + r")",
    r"click to (?:share|email|print) .{0,60}",
    r"(?:tweet|pin it|link copied|copy url)",
    r"(?:(?:" + _SOCIAL + r")\b[\s|,/•·]*)+",  # "Facebook Twitter WhatsApp Email"
    r"subscribe(?: now| today| here)?",
    r"(?:subscribe|sign up) (?:to|for) (?:our|the) [\w ]{0,30}newsletters?",
    r"(?:get|receive) (?:our|the) [\w ]{0,30}newsletter.{0,40}",
    r"like us on facebook",
    r"(?:join|follow) (?:us|our [\w ]{1,20}) on (?:" + _SOCIAL + r")",
    r"(?:join|follow) our (?:whatsapp|telegram) channel",
    r"(?:download|get) (?:our|the) app",
    r"like this:?|loading\.*",
)
_TEASER_LABEL = (
    r"also read|read also|read more|read next|read|see also|must read|don'?t miss|suggested reading"
    r"|recommended(?: for you| stories| articles)?"
    r"|related(?: articles| stories| news| posts| content| coverage)?"
)
_TEASER_HEADING = _exact(
    _TEASER_LABEL,
    r"most (?:popular|read|viewed|shared)|trending(?: now| stories)?|you (?:may|might) also like",
    r"editor'?s picks?|top stories|latest(?: news| stories)?|more (?:stories|news)|more from [\w' ]{1,30}",
    r"popular(?: posts| stories)?|in case you missed it|what to read next|continue reading",
)
# The label is followed by a colon, a bar or a spaced dash: "Read-out of the call ..." is news.
_TEASER_WITH_HEADLINE = re.compile(r"^(?:" + _TEASER_LABEL + r")\s*(?:[:|»>]|\s[–—-])\s*\S", re.IGNORECASE)
_PHOTO_CREDIT = _exact(
    r"(?:file )?(?:photo|photograph|picture|image|pic)s?(?: credits?)?(?: by| courtesy(?: of)?)?\s*[:/].+",
    # "Photo by Jane Roe/AFP"; never a sentence ("Images by Maxar showed the damage.")
    r"(?!.*\.$)\(?(?:file )?(?:photo|image|picture)s? (?:by|courtesy(?: of)?|credits?) [^()]+\)?",
    r"file (?:photo|image|picture)s?\.?",
    r"(?:reuters|afp|ap|epa|xinhua|getty images|anadolu|ani|pti)\s*/\s*[\w .'-]{2,40}",
)
_COPYRIGHT = re.compile(
    r"©|\(c\)\s*\d{4}|^copyright\b\s*(?:©|\(c\)|\d{4})|all rights reserved", re.IGNORECASE
)
_ADVERTISEMENT = _exact(
    r"advertisement|advertising|ad|sponsored(?: content)?",
    r"(?:story|article) continues below(?: this)? advertisement|scroll to continue(?: with content)?",
)
_CREDITS_SIGN_OFF = re.compile(
    r"^\(?(?:(?:additional )?reporting|writing|editing|compiled|edited|written) by\b.*"
    r"|^(?:editor|editors|responsible editor|source)\s*:\s*\S.{0,60}$",
    re.IGNORECASE,
)
_OUTLET_SIGN_OFF = re.compile(
    r"^(?:[-—–]+\s*|source\s*:\s*)?\(?"
    r"(?P<name>[A-Z][\w&'.-]*(?: (?:[A-Z][\w&'.-]*|of|the|and|&|for)){0,4}?)\)?\.?$"
)
_END_MARKS = frozenset({"end", "ends"})
_NOT_OUTLET_NAMES = frozenset({
    "advertisement", "comments", "more", "share", "home", "top", "back", "next", "previous", "close", "menu",
    "loading", "thanks",
})  # fmt: skip
_CRUMB_PREFIX = re.compile(r"^you are here\s*:\s*", re.IGNORECASE)
_CRUMB_SEPARATOR = re.compile(r"\s*(?:/|>|»|›|\||::|→)\s*")
_CRUMB_SEGMENT = re.compile(r"^(?:[A-Z0-9][\w&'.-]*|&|and|of)(?: (?:[A-Z0-9][\w&'.-]*|&|and|of)){0,3}$")
# "HomeWorldEuropeBridges closed ...": section names glued to the first word of the headline.
_GLUED_HEAD = re.compile(r"^(?:Home|News)(?:[A-Z][a-z]+)+(?=[A-Z][a-z]+\b)")
_CRUMB_WORD = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|&|\s+")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_TWO_SENTENCES = re.compile(r"[a-z]{2}[.!?][\"”’]?\s+[\"“‘]?[A-Z]")
_TITLE_START = re.compile(r"^[\"“‘'(]?[A-Z0-9]")
# "By Jane Roe", "By Jane Roe and Tom Fry, Harbor Times": "By" and capitalised names only.
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'-]*(?:,?\s+(?:[A-Z][\w.'-]*|and|of|the|&))*$")


def words(line: str) -> int:
    return len(line.split())


def line_furniture(line: str) -> str | None:
    """Why a whole line is web furniture ("comment-form", "share-widget", ...), or None for news."""
    count = words(line)
    if not count:
        return None
    key = line.strip(" \t•·|:-–—>»")
    if count <= MAX_COMMENT_FORM_WORDS and _COMMENT_FORM.match(key):
        return "comment-form"
    if count <= MAX_WIDGET_WORDS:
        if _SHARE_WIDGET.match(key):
            return "share-widget"
        if _PHOTO_CREDIT.match(key):
            return "photo-credit"
        if _ADVERTISEMENT.match(key):
            return "advertisement"
    if count <= MAX_TEASER_WORDS and (_TEASER_HEADING.match(key) or _TEASER_WITH_HEADLINE.match(line)):
        return "teaser"
    if count <= MAX_COPYRIGHT_WORDS and _COPYRIGHT.search(line):
        return "copyright"
    return None


def is_teaser_heading(line: str) -> bool:
    """A bare teaser heading ("Most Popular", "Related articles") that may head a list of headlines."""
    return bool(_TEASER_HEADING.match(line.strip(" \t•·|:-–—>»")))


def is_headline_like(line: str) -> bool:
    """A short line without a closing full stop: a teaser headline when it follows a teaser heading."""
    return 0 < words(line) <= MAX_TEASER_WORDS and not line.rstrip().endswith((".", '."', ".”"))


def is_byline(line: str) -> bool:
    """``By Jane Roe, Harbor Times``: the author line under a headline (not news)."""
    return words(line) <= MAX_WIDGET_WORDS and bool(_BYLINE.match(line.strip()))


def is_breadcrumb(line: str) -> bool:
    """``CHINA / DIPLOMACY``, ``Home > World > Asia``: two or more short section names and separators."""
    text = _CRUMB_PREFIX.sub("", line.strip())
    if not _HAS_LETTER.search(text) or words(text) > MAX_WIDGET_WORDS or not _CRUMB_SEPARATOR.search(text):
        return False
    segments = [segment for segment in _CRUMB_SEPARATOR.split(text) if segment]
    return len(segments) >= 2 and all(_CRUMB_SEGMENT.match(segment) for segment in segments)


def split_glued_breadcrumb(line: str, titles: list[str]) -> tuple[str, str] | None:
    """``HomeWorldAsiaSome Title`` -> (``HomeWorldAsia``, ``Some Title``) when the title is known.

    The title is what repeats on a nearby line (or the metadata title). Without one, the headline is taken
    to start at the last capitalised word of the glued run ("HomeWorldEurope" + "Bridges closed ...").
    """
    for title in titles:
        if title and line != title and line.endswith(title):
            prefix = line[: len(line) - len(title)]
            # Tokenised rather than matched with one nested pattern, which could backtrack for ages.
            tokens = _CRUMB_WORD.findall(prefix)
            if tokens and tokens[0] in ("Home", "News") and "".join(tokens) == prefix:
                return prefix.strip(), title
    glued = _GLUED_HEAD.match(line)
    if glued:  # no repeated title: the last capitalised word of the glued run starts the headline
        return glued.group(0), line[glued.end() :]
    return None


def looks_like_title(line: str) -> bool:
    """A headline: short, starts with a capital, one phrase, no closing full stop or colon, no byline."""
    count = words(line)
    return (
        2 <= count <= MAX_TITLE_WORDS
        and len(line) <= MAX_TITLE_CHARS
        and bool(_TITLE_START.match(line))
        and not line.endswith((".", ":", ";", ","))
        and not _TWO_SENTENCES.search(line)
        and not _BYLINE.match(line)
    )


@dataclass(frozen=True, slots=True)
class SignOff:
    """A closing line that is not news: credits, or the outlet's name (``outlet`` then set)."""

    outlet: str | None


def parse_sign_off(line: str, *, allow_name: bool = True) -> SignOff | None:
    """``Global Times.`` -> outlet "Global Times"; ``Reporting by ...`` -> a sign-off without outlet.

    A bare name counts only where ``allow_name`` (the very last line): elsewhere it could be anything.
    """
    count = words(line)
    if not count or count > MAX_SIGN_OFF_WORDS:
        return None
    if line.strip(" .-–—").lower() in _END_MARKS:
        return SignOff(None)
    if _CREDITS_SIGN_OFF.match(line):
        source = re.match(r"^source\s*:\s*(.+?)\.?$", line, re.IGNORECASE)
        return SignOff(source.group(1) if source and words(source.group(1)) <= MAX_OUTLET_WORDS else None)
    named = _OUTLET_SIGN_OFF.match(line) if allow_name and count <= MAX_OUTLET_WORDS else None
    if not named or named.group("name").lower() in _NOT_OUTLET_NAMES:
        return None
    name = named.group("name").rstrip(".")
    # One word with a full stop is more often a sentence ("Third.") than an outlet, unless it is an
    # acronym ("AFP."); "Xinhua" without a stop and "Global Times." are sign-offs.
    if len(name) < 2 or (" " not in name and line.endswith(".") and not name.isupper()):
        return None
    return SignOff(name)

"""The clean stage: from the raw (or extracted) text of an article to the text of its news.

A cascade of plain functions, in this order:

1. characters: HTML entities decoded; zero-width and control characters dropped; line breaks and Unicode
   spaces normalised;
2. markup left by a bad extraction: scripts, comments, tags, and mangled link-attribute runs in the middle
   of a sentence (``andNews/World/Story1 "R = NOFOLLOW TARGET = _Blank> border``);
3. each line: spaces collapsed, inline photo credits dropped, machine-translation spacing repaired
   ("cross -border", "Council .He met") and glued sentences split ("the bridge.Engineers said");
4. whole lines of web furniture (:mod:`.boilerplate`), and a list of teaser headlines closing the page;
5. the head: ``Published:/Updated:`` lines, date-only lines (maybe after a byline), breadcrumbs, bylines,
   the title line, repeated titles;
6. the dateline opening the first paragraph (:mod:`.dateline`): its outlet tag and date are read, the
   dateline itself stays (it is news);
7. the tail: a sign-off naming the outlet ("Global Times.") or credits.

The raw text is never changed. Nothing is added but single spaces and line breaks at repaired boundaries,
and every piece taken out is recorded as a :class:`Removal` with its reason.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from ..model import Article, DateValue, FieldMethod, Removal
from . import boilerplate as bp
from .dateline import find_dateline, parse_date_line, parse_metadata_dates

CLEAN_VERSION = "1"

# Why a piece was taken out (Removal.reason).
REMOVAL_REASONS = (
    "html-debris", "photo-credit", "comment-form", "share-widget", "teaser", "advertisement", "copyright",
    "breadcrumb", "title", "repeated-title", "byline", "dateline-metadata", "sign-off",
)  # fmt: skip

HEAD_LINES = 4  # breadcrumbs and date lines are looked for among the first lines only
DATELINE_LINES = 3  # a dateline opens the first paragraph (an outlet or section line may come before it)
TAIL_LINES = 3  # closing credits and sign-offs

_LINE_BREAK = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_UNICODE_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACES = re.compile(r"[ \t]+")

_SCRIPT = re.compile(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_MARKUP_COMMENT = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^<>]*>", re.DOTALL)
_TAG = re.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?>")
_BLOCK_TAG = re.compile(
    r"address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|main"
    r"|nav|ol|p|pre|section|table|td|th|tr|ul",
    re.IGNORECASE,
)
# A link's attributes that survived extraction (and maybe machine translation) as text: an optional URL
# path, then KEY = VALUE pairs, then the closing '>'. Only removed when it names a link attribute.
_ATTRIBUTE = r"""["']?[A-Za-z][\w:-]*\s*=\s*["']?[^\s"'<>=]*["']?"""
_ANCHOR_DEBRIS = re.compile(
    r"""(?<![\w.%~:/-])(?P<path>(?:[a-z]*https?://)?[\w.%~-]*(?:/[\w.%~?&#-]+)+/?\s*["']?\s*)?"""
    # Each pair is atomic ("a = b = c" could otherwise split into pairs in exponentially many ways) and
    # their number bounded (a page of "a=b" text would otherwise be rescanned from every word).
    rf"""(?P<attrs>(?:(?>{_ATTRIBUTE})\s*){{1,8}})/?>"""
)
_DEBRIS_MARKER = re.compile(
    r"nofollow|noopener|noreferrer|_blank|href|target|\brel\b|class|style|src", re.IGNORECASE
)
_STRAY_ATTRIBUTES = re.compile(
    r"""\b(?:rel|target)\s*=\s*["']?(?:nofollow|noopener|noreferrer|_blank|_self|_top|_parent)"""
    r"""(?:[ ,]+(?:nofollow|noopener|noreferrer))*["']?|\bhref\s*=\s*["'][^"'<>]*["']""",
    re.IGNORECASE,
)
# "andNews/China/..." or "andhttps://...": the lower-case head is a word of the sentence.
_GLUED_WORD = re.compile(r"^[a-z]+(?=[A-Z]|https?://)")

_INLINE_PHOTO = re.compile(
    r"\s*\((?:(?:file )?(?:photo|image|picture)s?(?:\s*(?:credits?|by|courtesy(?: of)?)\s*:?|\s*[:/])"
    r"\s*[^()]{1,80}|file (?:photo|image|picture)s?)\)",
    re.IGNORECASE,
)
_SPACED_HYPHEN = re.compile(r"(?<=[A-Za-z0-9]) +-(?=[A-Za-z])")  # "cross -border" -> "cross-border"
_SPACED_STOP = re.compile(r"(?<=[A-Za-z0-9\"”’)]) +([.!?])(?=[A-Z][a-z]|[AI] )")  # "Council .He"
_SPACED_PUNCTUATION = re.compile(r"(?<=[A-Za-z0-9\"”’)]) +([.!?,;])(?= |$)")  # "Council . He", "out ."
# "bridge.Engineers", 'promised".Markets', "(SCO).The"
_GLUED_SENTENCE = re.compile(r"(?:(?<=[a-z]{2})|(?<=[A-Za-z0-9][\"”’)]))[.!?][\"”’]?(?=[A-Z][a-z]|[AI] )")
_GLUED_QUOTE = re.compile(r'(?<=[a-z][,.!?])"(?=[a-z])')  # 'parties,"said
_URL_LIKE = re.compile(r"://|^www\.|@|/")
_TOKEN_WINDOW = 100
_TITLE_KEY_TRIM = " .!?:;\"'“”‘’"


@dataclass(slots=True)
class CleanResult:
    """What :func:`clean_text` found: the cleaned text, what it took out, and what the text says of itself."""

    text: str
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    outlet: str | None = None
    outlet_method: FieldMethod | None = None
    outlet_evidence: str = ""
    publication_date: DateValue | None = None
    modification_date: DateValue | None = None


def normalise_characters(text: str) -> str:
    """Entities decoded, zero-width and control characters dropped, line breaks and spaces unified."""
    for _ in range(2):  # twice: extraction often double-encodes ("&amp;nbsp;")
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _LINE_BREAK.sub("\n", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    return _UNICODE_SPACE.sub(" ", text)


def strip_markup(text: str, removed: list[Removal]) -> str:
    """Scripts, comments, tags and link-attribute debris out; block tags become line breaks."""

    def drop(match: re.Match[str]) -> str:
        removed.append(Removal(match.group(0).strip(), "html-debris"))
        return ""

    def drop_tag(match: re.Match[str]) -> str:
        removed.append(Removal(match.group(0), "html-debris"))
        return "\n" if _BLOCK_TAG.fullmatch(match.group("name")) else ""

    def drop_anchor(match: re.Match[str]) -> str:
        piece = match.group(0)
        if not _DEBRIS_MARKER.search(match.group("attrs")):
            return piece
        glued = _GLUED_WORD.match(piece)
        keep = glued.group(0) if glued else ""
        removed.append(Removal(piece[len(keep) :].strip(), "html-debris"))
        return keep + " "  # the words on both sides were separate words

    # Each pattern needs a character most texts lack ("<", ">", "="): looked for first (a plain substring
    # search), the pattern runs only on a text that has it.
    if "<" in text:
        text = _SCRIPT.sub(drop, text)
        text = _MARKUP_COMMENT.sub(drop, text)
        text = _TAG.sub(drop_tag, text)
    if ">" in text:
        text = _ANCHOR_DEBRIS.sub(drop_anchor, text)
    if "=" in text:
        text = _STRAY_ATTRIBUTES.sub(drop, text)
    return text


class _Quotes:
    """The straight quotes of a line: one after an even number of them opens a quotation."""

    def __init__(self, line: str) -> None:
        self.positions: list[int] = []
        i = line.find('"')
        while i >= 0:
            self.positions.append(i)
            i = line.find('"', i + 1)

    def opens(self, position: int) -> bool:
        return bisect_left(self.positions, position) % 2 == 0


def _in_url(line: str, start: int, end: int) -> bool:
    # The token around a match, looked for within a window: a longer run without spaces is no prose.
    left = line.rfind(" ", max(0, start - _TOKEN_WINDOW), start)
    right = line.find(" ", end, end + _TOKEN_WINDOW)
    if (left < 0 and start > _TOKEN_WINDOW) or (right < 0 and len(line) - end > _TOKEN_WINDOW):
        return True
    return bool(_URL_LIKE.search(line[left + 1 : right if right >= 0 else len(line)]))


def _split_glued_sentences(line: str) -> str:
    quotes = _Quotes(line)

    def split(match: re.Match[str]) -> str:
        piece = match.group(0)
        if _in_url(line, match.start(), match.end()):
            return piece
        if piece.endswith('"') and quotes.opens(match.end() - 1):
            return piece[:-1] + ' "'  # 'analyst."People' -> 'analyst. "People'
        return piece + " "

    line = _GLUED_SENTENCE.sub(split, line)
    if '"' not in line:
        return line  # _GLUED_QUOTE matches a straight quote only
    quotes = _Quotes(line)
    return _GLUED_QUOTE.sub(lambda match: ' "' if quotes.opens(match.start()) else '" ', line)


def repair_line(line: str, removed: list[Removal]) -> str:
    """One line with spaces collapsed, inline photo credits out and sentence boundaries repaired."""

    def drop_photo(match: re.Match[str]) -> str:
        removed.append(Removal(match.group(0).strip(), "photo-credit"))
        return ""

    line = _SPACES.sub(" ", line).strip()
    # Each pattern below needs a character or pair most lines lack: looked for first (a plain substring
    # search), the pattern runs only on the lines that have it.
    if "(" in line:
        line = _INLINE_PHOTO.sub(drop_photo, line)
    if " -" in line:
        line = _SPACED_HYPHEN.sub("-", line)
    if " ." in line or " !" in line or " ?" in line:
        line = _SPACED_STOP.sub(r"\1 ", line)
    if " ." in line or " !" in line or " ?" in line or " ," in line or " ;" in line:
        line = _SPACED_PUNCTUATION.sub(r"\1", line)
    return _split_glued_sentences(line).strip()


def _title_key(text: str) -> str:
    return " ".join(text.split()).strip(_TITLE_KEY_TRIM).casefold()


class _Lines:
    """The lines of a text being cleaned, and what was taken out of each (kept in document order)."""

    def __init__(self, text: str) -> None:
        self.removals: dict[int, list[Removal]] = {}
        self.text = [
            repair_line(line, self.removals.setdefault(i, [])) for i, line in enumerate(text.split("\n"))
        ]
        self.gone: set[int] = set()

    def kept(self) -> list[int]:
        return [i for i, line in enumerate(self.text) if line and i not in self.gone]

    def remove(self, index: int, reason: str) -> None:
        self.removals[index].append(Removal(self.text[index], reason))
        self.gone.add(index)

    def removed(self) -> list[Removal]:
        return [removal for i in sorted(self.removals) for removal in self.removals[i]]

    def joined(self) -> str:
        paragraphs: list[str] = []
        blank = False
        for i, line in enumerate(self.text):
            if i in self.gone:
                continue  # a removed line leaves no blank of its own
            if not line:
                blank = bool(paragraphs)
            else:
                paragraphs.append(("\n" if blank else "") + line)
                blank = False
        return "\n".join(paragraphs)


def _remove_furniture(lines: _Lines) -> None:
    kept = lines.kept()
    reasons = {i: bp.line_furniture(lines.text[i]) for i in kept}
    # A teaser heading ("Most Popular") followed only by headline-like lines closes the page: the
    # headlines are teasers too. The earliest such heading wins; one backward pass finds it.
    closing_start = len(kept)
    for position in range(len(kept) - 1, -1, -1):
        line = lines.text[kept[position]]
        if bp.is_teaser_heading(line):
            closing_start = position
        elif reasons[kept[position]] is None and not bp.is_headline_like(line):
            break
    for i in kept[closing_start:]:
        reasons[i] = reasons[i] or "teaser"
    for i, reason in reasons.items():
        if reason:
            lines.remove(i, reason)


def _read_head(lines: _Lines, result: CleanResult, known_title: str | None) -> None:
    for i in lines.kept():
        dates = parse_metadata_dates(lines.text[i])
        if dates:
            lines.remove(i, "dateline-metadata")
            result.publication_date = result.publication_date or dates.publication_date
            result.modification_date = result.modification_date or dates.modification_date
    for i in lines.kept()[:HEAD_LINES]:
        date = parse_date_line(lines.text[i])
        if date:
            lines.remove(i, "dateline-metadata")
            result.publication_date = result.publication_date or date
        elif bp.is_breadcrumb(lines.text[i]):
            lines.remove(i, "breadcrumb")
        elif bp.is_byline(lines.text[i]):
            lines.remove(i, "byline")
    kept = lines.kept()
    if not kept:
        return
    first = kept[0]
    glued = bp.split_glued_breadcrumb(
        lines.text[first], [known_title or "", *(lines.text[j] for j in kept[1:3])]
    )
    if glued:
        lines.removals[first].append(Removal(glued[0], "breadcrumb"))
        lines.text[first] = glued[1]
    if known_title:
        if _title_key(lines.text[first]) == _title_key(known_title):
            lines.remove(first, "repeated-title")
    elif len(kept) > 1 and bp.looks_like_title(lines.text[first]) and not find_dateline(lines.text[first]):
        result.title = lines.text[first]
        lines.remove(first, "title")
    reference = _title_key(known_title or result.title or "")
    if reference:
        for i in lines.kept():
            if _title_key(lines.text[i]) == reference:
                lines.remove(i, "repeated-title")


def _read_dateline(lines: _Lines, result: CleanResult) -> None:
    for i in lines.kept()[:DATELINE_LINES]:
        dateline = find_dateline(lines.text[i])
        if dateline:
            if dateline.outlet and result.outlet is None:
                result.outlet, result.outlet_method = dateline.outlet, FieldMethod.DATELINE
                result.outlet_evidence = dateline.text
            result.publication_date = result.publication_date or dateline.date
            return


def _read_tail(lines: _Lines, result: CleanResult) -> None:
    kept = lines.kept()
    for position, i in enumerate(reversed(kept[1:][-TAIL_LINES:])):  # never the only line left
        sign_off = bp.parse_sign_off(lines.text[i], allow_name=position == 0)
        if sign_off is None:
            return
        if sign_off.outlet:
            # The closing line names the publisher; a dateline tag may name a wire agency it republished.
            result.outlet, result.outlet_method = sign_off.outlet, FieldMethod.SIGN_OFF
            result.outlet_evidence = lines.text[i]
        lines.remove(i, "sign-off")


def clean_text(text: str, *, known_title: str | None = None) -> CleanResult:
    """Clean one article's text; ``known_title`` (from metadata) is removed where the text repeats it."""
    markup: list[Removal] = []
    lines = _Lines(strip_markup(normalise_characters(text), markup))
    result = CleanResult(text="")
    _remove_furniture(lines)
    _read_head(lines, result, known_title)
    _read_dateline(lines, result)
    _read_tail(lines, result)
    result.text = lines.joined()
    result.removed = markup + lines.removed()
    return result


def clean_article(article: Article) -> Article:
    """The article with cleaned ``text`` and ``removed``; title, outlet and dates only where it has none."""
    source = article.extracted_text if article.extracted_text is not None else article.raw_text
    result = clean_text(source, known_title=article.title)
    changes: dict[str, Any] = {
        "text": result.text,
        "removed": result.removed,
        "stage_versions": {**article.stage_versions, "clean": CLEAN_VERSION},
    }
    if article.title is None and result.title is not None:
        changes.update(title=result.title, title_method=FieldMethod.FIRST_LINE)
    if article.outlet is None and result.outlet is not None:
        changes.update(outlet=result.outlet, outlet_method=result.outlet_method)
    if article.publication_date is None and result.publication_date is not None:
        changes["publication_date"] = result.publication_date
    if article.modification_date is None and result.modification_date is not None:
        changes["modification_date"] = result.modification_date
    return article.evolve(**changes)

"""Reading an input's bytes within the size limit, and turning them into text.

Order of the decoding cascade (the first that works wins, and its name is kept on the article):

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. strict UTF-8 (most inputs; a mislabelled page that is valid UTF-8 is still UTF-8);
3. the charset an HTTP header named (WARC records), then for HTML the page's own ``<meta charset>`` /
   ``http-equiv`` declaration, if the bytes decode with it;
4. mostly UTF-8 with a few cp1252 bytes (a row pasted in from an older file), recorded as
   ``utf-8+cp1252``: the stray bytes are read as cp1252 rather than losing or garbling the whole file;
5. charset_normalizer's best guess (GBK/GB18030, Big5, cp1251, ...).

The decoded string is kept exactly: no newline or control character is changed here.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, InputTooLargeError

_MB = 1024 * 1024
_CHUNK = 1024 * 1024
# Enough of the start of a file to judge whether it is binary and to find a <meta charset>.
_SNIFF_BYTES = 64 * 1024

# Longest BOM first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Control bytes that do not occur in text (tab, newlines, form feed and ESC, used by ISO-2022, excluded).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_BINARY_CONTROL_SHARE = 0.1
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")

# Labels that browsers (WHATWG encoding standard) read as a larger superset: a page declaring gb2312
# routinely holds GBK characters, one declaring latin-1 holds cp1252 quotes.
_LABEL_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str


def format_mb(size: int) -> str:
    """``209715200`` -> ``"200"``; small limits (as in tests) keep enough digits to be meaningful."""
    value = size / _MB
    shown = f"{value:.1f}" if value >= 1 else f"{value:.3g}"
    return shown.removesuffix(".0")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` (decompressed when it ends in ``.gz``), refusing anything over ``max_bytes``.

    Raises :class:`InputTooLargeError` for a file or a decompressed stream past the limit (neither is
    read whole) and :class:`InputError` for a truncated or corrupt gzip stream.
    """
    source = str(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputTooLargeError(
            source, f"file is {format_mb(size)} MB, over the limit of {format_mb(max_bytes)} MB"
        )
    if path.name.lower().endswith(".gz"):
        return _read_gzip(path, max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew after stat()
        raise InputTooLargeError(source, f"file is over the limit of {format_mb(max_bytes)} MB")
    return data


def _read_gzip(path: Path, max_bytes: int) -> bytes:
    # Decompress chunk by chunk so that a small file expanding to gigabytes stops at the limit.
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise InputTooLargeError(
                        str(path),
                        f"gzip data expands past the limit of {format_mb(max_bytes)} MB "
                        "(a possible gzip bomb)",
                    )
                chunks.append(chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(str(path), "truncated or corrupt gzip") from exc
    return b"".join(chunks)


def decode_bytes(data: bytes, source: str, *, html: bool = False, declared: str | None = None) -> DecodedText:
    """Decode an input's bytes into text, following the cascade in the module docstring.

    ``html`` lets a ``<meta charset>`` declaration count. ``declared`` is a charset the transport named
    (an HTTP ``Content-Type`` in a WARC record): it counts after strict UTF-8, before ``<meta charset>``.
    Raises :class:`InputError` for an empty file, a binary file, or bytes no encoding explains.
    """
    if not data or data.isspace():
        raise InputError(source, "empty file")
    decoded = _decode_with_bom(data, source)
    if decoded is None:
        _refuse_binary(data, source)
        decoded = _decode_without_bom(data, html=html, declared=declared)
    if decoded is None:
        raise InputError(source, "cannot detect the text encoding")
    if not decoded.text or decoded.text.isspace():  # not strip(): that would copy the whole text
        raise InputError(source, "empty file")
    return decoded


def _decode_with_bom(data: bytes, source: str) -> DecodedText | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                # Python's utf-8-sig codec drops the BOM itself; the others are decoded past it.
                body = data if encoding == "utf-8-sig" else data[len(bom) :]
                return DecodedText(body.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    source, f"starts with a {encoding} byte-order mark but is not {encoding}"
                ) from exc
    return None


def _refuse_binary(data: bytes, source: str) -> None:
    sample = data[:_SNIFF_BYTES]
    # Without a BOM, a NUL byte means a binary file (or BOM-less UTF-16, which news inputs never are).
    if b"\x00" in sample or len(_CONTROL_BYTES.findall(sample)) > _BINARY_CONTROL_SHARE * len(sample):
        raise InputError(source, "binary file, not text")


def _decode_without_bom(data: bytes, *, html: bool, declared: str | None = None) -> DecodedText | None:
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [codec_for_label(declared) if declared else None, declared_charset(data) if html else None]
    for codec in candidates:
        if codec:
            try:
                return DecodedText(data.decode(codec), codec)
            except UnicodeDecodeError:
                pass  # the declaration is wrong: let the next one or detection decide
    # Before detection: on mostly-UTF-8 bytes it guesses a single-byte code page and garbles every line.
    return _utf8_with_cp1252_bytes(data) or _detect(data)


def _utf8_with_cp1252_bytes(data: bytes) -> DecodedText | None:
    """UTF-8 in which the bytes that are not UTF-8 read as cp1252; None unless valid UTF-8 characters
    outnumber those bytes (random or legacy-encoded bytes are not "mostly UTF-8")."""
    text = data.decode("utf-8", errors="surrogateescape")  # each stray byte becomes U+DC80..U+DCFF
    stray = sum(len(run) for run in _ESCAPED_BYTES.findall(text))
    if sum(1 for char in text if ord(char) > 0x7F) - stray <= stray:
        return None
    text = _ESCAPED_BYTES.sub(
        lambda run: run.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace"), text
    )
    return DecodedText(text, "utf-8+cp1252")


def declared_charset(data: bytes) -> str | None:
    """The Python codec named by a page's ``<meta charset>`` / ``http-equiv`` declaration, if any."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return codec_for_label(match.group(1).decode("ascii")) if match else None


def codec_for_label(label: str) -> str | None:
    """The Python codec for a charset label (``"ISO-8859-1"`` -> ``"cp1252"``), None for an unknown one."""
    try:
        name = codecs.lookup(label.strip()).name
    except (LookupError, ValueError):
        return None
    return _LABEL_SUPERSETS.get(name, name)


def _detect(data: bytes) -> DecodedText | None:
    # Imported here: detection is only needed for the minority of inputs that are not UTF-8.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        return None
    try:
        # Decode ourselves (strictly) so the text is exactly what the named codec gives.
        return DecodedText(data.decode(best.encoding), best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None

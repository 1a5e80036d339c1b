"""A fetched web page: its bytes, how to decode them (Russian sites still serve windows-1251), and plain text."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

MAX_BYTES = 5_000_000  # bigger pages are cut: no news article needs more, and parsers stay fast
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr)\s*>")


@dataclass(frozen=True, slots=True)
class Page:
    """What one GET returned: the final URL (after redirects), the status, the body and its content type."""

    url: str
    status: int
    content: bytes
    content_type: str = ""

    @property
    def text(self) -> str:
        return decode(self.content, self.content_type)

    @property
    def is_html(self) -> bool:
        kind = self.content_type.split(";", 1)[0].strip().lower()
        if kind:
            return kind in ("text/html", "application/xhtml+xml")
        return self.content.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(content: bytes, content_type: str = "") -> str:
    """Bytes → text: the charset from the header, else from ``<meta>``/the XML declaration, else UTF-8,
    else windows-1251. Undecodable bytes become U+FFFD, never an error."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8):].decode("utf-8", "replace")
    header = _HEADER_CHARSET.search(content_type or "")
    head = content[:4096]
    declared = _codec(header.group(1) if header else None)
    if declared is None:
        found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
        declared = _codec(found.group(1) if found else None)
    if declared is not None:
        return content.decode(declared, "replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1251", "replace")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary): block ends become line breaks, spaces are collapsed."""
    if not fragment or not fragment.strip():
        return ""
    tree = LexborHTMLParser(_BLOCK_END.sub("\n", fragment))
    tree.strip_tags(["script", "style", "noscript"])
    root = tree.body or tree.root
    raw = root.text(separator="") if root is not None else ""
    lines = (" ".join(line.split()) for line in raw.splitlines())
    return "\n".join(line for line in lines if line)

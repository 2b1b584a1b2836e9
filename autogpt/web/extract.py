"""From bytes or HTML to what the model reads: the decoded page, its main text, a few links.

Decoding follows the page's own word first (HTTP header, byte-order mark, ``<meta charset>``),
then detection (charset-normalizer); the Chinese legacy encodings are read with their supersets
(GB2312/GBK as GB18030, Big5 as Big5-HKSCS), since pages labelled GB2312 routinely use GBK
characters. The main text comes from trafilatura, with the whole visible text as a fallback for
pages it finds no article in.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from autogpt.web.untrusted import clean_text

MAX_LINKS = 5
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "latin_1": "cp1252",
    "ascii": "cp1252",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return f"{self.text} ({self.url})" if self.text else self.url


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    links: list[Link]


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    return match.group(1) if match else None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text: declared charset (header, BOM, meta), else detected, else UTF-8."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    meta = _META_CHARSET.search(body[:4096])
    declared = [charset_from_content_type(content_type), meta.group(1).decode() if meta else None]
    for label in declared:
        codec = _codec(label)
        if codec is None:
            continue
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue  # mislabelled page: fall through to detection
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    codec = _codec(best.encoding if best else None) or "utf-8"
    return body.decode(codec, errors="replace")


def extract(html: str, base_url: str, *, rendered_text: str | None = None) -> Extracted:
    """Main text (trafilatura), else the visible text; links resolved against the page."""
    import lxml.html
    import trafilatura

    html = clean_text(_strip_xml_declaration(html))  # ANSI escapes would survive as "[31m"
    main = (
        trafilatura.extract(
            html,
            url=base_url,
            favor_recall=True,
            include_tables=True,
            include_comments=False,
            deduplicate=True,
        )
        or ""
    )
    try:
        tree = lxml.html.fromstring(html) if html.strip() else None
    except (ValueError, lxml.etree.ParserError):
        tree = None
    title = " ".join((tree.findtext(".//title") or "").split()) if tree is not None else ""
    links = links_of(tree, base_url)
    visible = rendered_text if rendered_text is not None else _visible_text(tree)
    # trafilatura looks for an article; a list or a JS app may have none, or only a sliver of it.
    text = main if len(main) >= min(200, len(visible.strip())) else visible
    return Extracted(title=clean_text(title), text=_tidy(text), links=links)


def links_of(tree: object, base_url: str, limit: int | None = None) -> list[Link]:
    """The page's http(s) links in document order, de-duplicated, fragments dropped."""
    if tree is None:
        return []
    seen: dict[str, Link] = {}
    for anchor in tree.iter("a"):  # type: ignore[attr-defined]
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urldefrag(urljoin(base_url, href)).url
        if urlsplit(url).scheme not in ("http", "https") or url == urldefrag(base_url).url:
            continue
        text = " ".join(clean_text(anchor.text_content()).split())[:100]
        if url not in seen or (text and not seen[url].text):
            seen[url] = Link(text=text, url=url)
        if limit is not None and len(seen) >= limit:
            break
    return list(seen.values())


def _visible_text(tree: object) -> str:
    if tree is None:
        return ""
    for element in tree.xpath("//script|//style|//noscript|//template|//head"):  # type: ignore[attr-defined]
        element.drop_tree()
    blocks = tree.xpath("//body") or [tree]  # type: ignore[attr-defined]
    return "\n".join(block.text_content() for block in blocks)


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in clean_text(text).splitlines())
    return "\n".join(line for line in lines if line)


def _strip_xml_declaration(html: str) -> str:
    # lxml refuses str input that declares an encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)

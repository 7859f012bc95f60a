"""Feed text made safe and plain, once, as it arrives.

A feed is data from outside, like a web page. Before any parser, store or widget sees a
string from it, :func:`clean_text`:

1. cuts it to a bounded size first (a 10 MB name costs no more than a long one);
2. removes terminal escape sequences whole (CSI such as clear-screen, OSC 8 links,
   OSC 52 clipboard writes, DCS/APC/PM/SOS strings), in their 7-bit and 8-bit forms;
3. decodes HTML entities (``&amp;``, ``&#39;``) and turns tags into plain text, keeping
   paragraphs and line breaks (``<p>``, ``<br>``, ``<li>``); scripts and styles are dropped;
4. removes every remaining C0/C1 control character (newlines kept in multi-line fields),
   DEL, and the bidirectional overrides that can make text read differently from how it
   is stored;
5. collapses whitespace (one space inside a line; at most one blank line between
   paragraphs; single-line fields on one line);
6. caps the length (``…`` marks a cut).

It is idempotent: cleaning clean text changes nothing. Markup is never *interpreted*
here or anywhere: widgets show feed strings with markup off (see ``screen.py``).
"""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser
from typing import Any

#: Longest kept value, by kind of field. Longer ones are cut with "…" and a warning.
NAME_LIMIT = 300
LINE_LIMIT = 1_000
TEXT_LIMIT = 8_000
ID_LIMIT = 200

#: Multi-line fields: free text where paragraphs mean something.
MULTILINE_FIELDS = frozenset(
    {"description", "notes", "eligibility_description", "fees_description", "alert", "transportation",
     "application_process", "amount_description"}
)

_ESCAPE_SEQUENCES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?          # CSI ... final byte
  | (?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|$)         # OSC ... BEL or ST (OSC 8, OSC 52)
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c|$) # DCS, SOS, PM, APC ... ST
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                                  # any other ESC sequence
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
_NEEDS_WORK = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f&<\u00a0\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\r]|[ \t]{2,}|\n{3,}|^\s|\s$| \n|\n "
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>|<!--")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")

_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "ul", "ol", "table", "blockquote", "h1", "h2", "h3",
     "h4", "h5", "h6", "address", "pre", "dl", "figure", "hr"}
)
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _PlainText(HTMLParser):
    """HTML to text: blocks become paragraphs, ``br``/``li`` new lines, scripts vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in _LINE_TAGS:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag in _LINE_TAGS or tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def text(self) -> str:
        return "".join(self.parts)


def decode_entities(value: str) -> str:
    """``&amp;``, ``&#39;``, ``&eacute;`` decoded; only complete ones (with ";"), so "a=1&copy=2" stays."""
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)


def html_to_text(value: str) -> str:
    """Tags to plain text with paragraphs and line breaks kept; entities decoded."""
    parser = _PlainText()
    try:
        parser.feed(value)
        parser.close()
    except Exception:  # HTMLParser is forgiving; if it ever gives up, fall back to dropping tags
        return html.unescape(_TAG.sub(" ", value))
    return parser.text()


def strip_controls(value: str, *, multiline: bool = True) -> str:
    """Escape sequences removed whole, then every other control character (newlines kept if asked)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPE_SEQUENCES.sub("", value)
    value = value.replace("\t", " ")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = value.replace("\n", " ")
    return value


def collapse_whitespace(value: str, *, multiline: bool = True) -> str:
    """One space inside a line, lines trimmed, at most one blank line between paragraphs."""
    value = value.replace("\u00a0", " ")
    if not multiline:
        return " ".join(value.split())
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def cap(value: str, limit: int) -> str:
    """At most ``limit`` characters, with "…" marking a cut."""
    if len(value) <= limit:
        return value
    return value[: max(0, limit - 1)].rstrip() + "…"


def clean_text(value: str, *, multiline: bool = False, limit: int | None = None, markup: bool = True) -> str:
    """Feed text as plain, safe, bounded text (see the module docstring for the steps).

    ``markup=False`` skips the HTML step, for values that are never prose (ids, codes).
    """
    limit = limit or (TEXT_LIMIT if multiline else LINE_LIMIT)
    if len(value) <= limit and not _NEEDS_WORK.search(value) and (multiline or "\n" not in value):
        return value  # the common case: nothing to do
    # Bound the work first; generous so entities and tags that shrink still fill the limit.
    value = value[: limit * 4 + 64]
    value = strip_controls(value, multiline=True)
    if markup and ("<" in value or "&" in value):
        if _TAG.search(value):
            value = html_to_text(value)
        elif _ENTITY.search(value):
            value = decode_entities(value)
        value = strip_controls(value, multiline=True)  # &#27; and friends decode to nothing, but be sure
    value = collapse_whitespace(strip_controls(value, multiline=multiline), multiline=multiline)
    return cap(value, limit)


def limit_for(field_name: str) -> tuple[bool, int]:
    """(multi-line?, limit) for a field by its name."""
    if field_name in MULTILINE_FIELDS:
        return True, TEXT_LIMIT
    if field_name in ("name", "alternate_name"):
        return False, NAME_LIMIT
    if field_name in ("source_id", "id"):
        return False, ID_LIMIT
    return False, LINE_LIMIT


#: Fields that are addresses, not prose: entities decoded, never read as HTML.
ADDRESS_FIELDS = frozenset({"url", "website", "uri", "term_uri", "email", "schedule_link", "logo"})


def clean_field(field_name: str, value: str) -> str:
    """:func:`clean_text` with the multi-line flag and limit that suit the field."""
    multiline, limit = limit_for(field_name)
    if field_name in ADDRESS_FIELDS:
        return clean_text(decode_entities(value[: limit * 4]) if "&" in value else value, limit=limit, markup=False)
    return clean_text(value, multiline=multiline, limit=limit, markup=field_name not in ("source_id", "id", "source"))


def was_cut(value: str, field_name: str) -> bool:
    """Whether :func:`clean_field` would cut this raw value short."""
    return len(value) > limit_for(field_name)[1] * 2 and clean_field(field_name, value).endswith("…")


def sanitise_record(record: Any, _depth: int = 0) -> Any:
    """Clean every string in a record tree (a Service and everything under it), in place.

    For records built by third-party sources: the built-in parsers clean each field as
    they read it, and cleaning twice changes nothing. Returns the record.
    """
    if _depth > 12 or not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in dataclasses.fields(record))
    for name in names:
        value = getattr(record, name)
        if value is None or value.__class__ in _SKIP_TYPES:
            continue
        cleaned = _clean_value(name, value, _depth)
        if cleaned is not value:
            setattr(record, name, cleaned)
    return record


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SKIP_TYPES = frozenset({int, float, bool})


def _clean_value(name: str, value: Any, depth: int) -> Any:
    if isinstance(value, str):
        cleaned = clean_field(name, value)
        return value if cleaned == value else cleaned
    if isinstance(value, list):
        changed = False
        items = []
        for element in value:
            new = _clean_value("warnings" if name == "warnings" else name, element, depth + 1)
            changed = changed or new is not element
            items.append(new)
        return items if changed else value
    if isinstance(value, tuple):
        return tuple(_clean_value(name, element, depth + 1) for element in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        sanitise_record(value, depth + 1)
    return value

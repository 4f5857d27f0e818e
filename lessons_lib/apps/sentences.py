"""Sentences from plain text or markdown, with a few regular expressions (chapter 08).

Chapter 08's summarizer picks whole sentences, so it first needs them. :func:`split_sentences`
reads plain text or markdown (no NLTK): :func:`markdown_blocks` cuts the text into blocks
(headings, list items, paragraphs), each made plain (emphasis marks go, links become their
text, `inline code` and $math$ stay as written) while code blocks, tables, HTML and display
math are dropped; then a full stop, ``?``, ``!`` or ``...`` ends a sentence when a capital,
a digit, a quote or a bracket follows, except after an abbreviation, an initial or an item
number.

>>> split_sentences("Dr. Lee measured 3.14 s, i.e. fast. Then, e.g. at 2 p.m., it slowed.")
['Dr. Lee measured 3.14 s, i.e. fast.', 'Then, e.g. at 2 p.m., it slowed.']
"""

from __future__ import annotations

import re

# --- markdown to plain blocks -------------------------------------------------------------

_TAGS = (
    "a|abbr|b|big|blockquote|br|center|code|del|details|div|em|figcaption|figure|font|h[1-6]|"
    "hr|i|iframe|img|ins|kbd|li|mark|ol|p|pre|s|small|span|strong|sub|summary|sup|table|tbody|"
    "td|th|thead|tr|u|ul|video|audio|source|script|style"
)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HTML_BLOCK = re.compile(rf"^\s{{0,3}}(<!--|</?(?:{_TAGS})\b)", re.I)
_HTML_TAG = re.compile(rf"</?(?:{_TAGS})\b[^<>]*>", re.I)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(\s+#+)?\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|(\d{1,9})[.)])\s+(.*)$")  # only "1." breaks a paragraph
_MATH_BLOCK = {"$$": "$$", r"\[": r"\]", r"\begin{": r"\end{"}
# Inline code and inline math are kept as they are: nothing inside them is markdown.
_PROTECTED = re.compile(
    r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)|(?<![\\$])\$(?=\S)[^$]+?(?<=\S)\$(?![$\d])"
)
_INLINE = [
    (re.compile(r"\$\$.+?\$\$"), ""),  # display math inside a line
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"<br\s*/?>", re.I), " "),
    (_HTML_TAG, ""),
    (re.compile(r"\s*!\[[^\]]*\](\([^)]*\)|\[[^\]]*\])"), ""),  # images (and badges) go
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote marks
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"\[([^\]]*)\](\([^)]*\)|\[[^\]]*\])"), r"\1"),  # links -> their text
    (re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])"), r"\2"),  # italics
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\s+"), " "),
]


def _inline(text: str) -> str:
    """One block's inline markdown as plain text; code and math spans left untouched."""
    kept: list[str] = []

    def keep(piece: str) -> str:
        kept.append(piece)
        return f"\x00{len(kept) - 1}\x00"

    text = _PROTECTED.sub(lambda m: keep(m.group(0)), text)
    text = re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: keep(m.group(1)), text)  # \* is a star
    for _ in range(2):  # twice: a badge is a link around an image
        for pattern, replacement in _INLINE:
            text = pattern.sub(replacement, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text).strip()


def markdown_blocks(text: str) -> list[str]:
    """The text's blocks (headings, list items, paragraphs) as plain one-line strings.

    Dropped: fenced and indented code, tables, HTML blocks and comments, display math
    (``$$``, ``\\[``, ``\\begin{...}``), horizontal rules and link definitions.

    >>> markdown_blocks("# Intro\\n\\nSee [the docs](https://x.org), **now**.\\n- one\\n- `two`")
    ['Intro', 'See the docs, now.', 'one', '`two`']
    """
    blocks: list[str] = []
    para: list[str] = []  # the lines of the paragraph or list item being read
    lines = text.replace("\r\n", "\n").split("\n")
    i, in_item = 0, False

    def flush() -> None:
        if para:
            blocks.append(" ".join(para))
            para.clear()

    def skip_through(ends) -> None:  # skip lines up to and including the first that ends
        nonlocal i
        while i < len(lines) and not ends(lines[i]):
            i += 1
        i += 1

    while i < len(lines):
        line = re.sub(r"^\s{0,3}(>\s?)+", "", lines[i])  # block quotes: their text
        stripped = line.strip()
        i += 1
        if fence := _FENCE.match(line):
            flush()
            mark = fence.group(1)[0] * len(fence.group(1))
            skip_through(lambda s, m=mark: s.strip().startswith(m))
        elif opener := next((o for o in _MATH_BLOCK if stripped.startswith(o)), None):
            flush()
            closer = _MATH_BLOCK[opener]
            if closer not in stripped[len(opener) :]:
                skip_through(lambda s, c=closer: c in s)
        elif not stripped:
            flush()
        elif _HTML_BLOCK.match(line) or stripped.startswith("|") or _TABLE_RULE.match(line):
            if _TABLE_RULE.match(line) and para:
                para.pop()  # the header row of a table without outer pipes
            flush()
            if not stripped.startswith("<!--"):
                skip_through(lambda s: not s.strip())  # a table or HTML: to a blank line
            elif "-->" not in stripped:
                skip_through(lambda s: "-->" in s)  # a comment: to its end
        elif not para and not in_item and re.match(r"( {4}|\t)", line):
            skip_through(lambda s: s.strip() and not re.match(r"( {4}|\t)", s))
            i -= 1  # an indented code block ends at the first line that is not indented
        elif heading := _HEADING.match(line):
            flush()
            blocks.append(heading.group(1))
            in_item = False
        elif para and re.fullmatch(r"=+|-+", stripped):
            flush()  # a setext heading: the line above is underlined
        elif _RULE.match(line) or re.match(r"\s{0,3}\[[^\]]+\]:\s*\S", line):
            flush()  # a horizontal rule, a link definition
        elif (item := _ITEM.match(line)) and (not para or in_item or item.group(1) in (None, "1")):
            flush()
            para.append(item.group(2).strip())
            in_item = True
        else:
            in_item = in_item and (bool(para) or line[:1].isspace())
            para.append(stripped)
    flush()
    return [b for b in (_inline(block) for block in blocks) if b]


def markdown_to_text(text: str) -> str:
    """The text's blocks joined by blank lines: plain text that splits into the same
    sentences (a second pass changes nothing, unless the markdown had backslash escapes)."""
    return "\n\n".join(markdown_blocks(text))


# --- sentences ----------------------------------------------------------------------------

# Abbreviations after which a full stop never ends a sentence (lower case, without the dot).
ABBREVIATIONS = frozenset(
    "e.g i.e cf vs mr mrs ms dr prof st sr jr fig figs eq eqs sec ch al approx ca resp viz "
    "ph.d a.m p.m".split()
)
_BEFORE_NUMBER = frozenset("no nos p pp vol art".split())  # "No. 5", "p. 12"
_END = re.compile(r"(\.{3}|…|[.!?]+)([\"'”’)\]]*)(\s+)|([。！？]+[”’」』）)]*)\s*")
_STARTERS = "\"'“‘([`$¿¡"


def _ends_sentence(block: str, match: re.Match, start: int) -> bool:
    """Whether the punctuation of ``match`` ends the sentence that began at ``start``."""
    if match.group(4):  # Chinese full stop, question or exclamation mark
        return True
    after = block[match.end() : match.end() + 1]
    if not after or not (after.isupper() or after.isdigit() or after in _STARTERS):
        return False  # "e.g. the", "wait... what": a lower-case word goes on
    word = block[start : match.start()].split(" ")[-1] if match.start() > start else ""
    if match.group(1) in ("...", "…"):
        return word != ""  # " ... Name" leaves words out; "wait... The" ends
    if match.group(1) != ".":
        return True
    bare = word.lstrip("([\"'“‘").lower()
    if bare in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare):
        return False  # e.g., i.e., U.S.
    if bare in _BEFORE_NUMBER and after.isdigit():
        return False
    if re.fullmatch(r"[A-Z]", word.lstrip("([\"'“‘")):
        return False  # an initial: J. R. R. Tolkien
    before = block[start : match.start() - len(word)].rstrip()
    if re.fullmatch(r"\d{1,3}|[a-z]|[ivx]+", bare) and (not before or before[-1] in ":;"):
        return False  # a numbered item: "Steps: 1. Mix. 2. Bake."
    return True


def _split_block(block: str) -> list[str]:
    protected = [m.span() for m in _PROTECTED.finditer(block)]
    sentences, start = [], 0
    for match in _END.finditer(block):
        if any(a <= match.start() < b for a, b in protected):
            continue  # punctuation inside `code` or $math$
        if _ends_sentence(block, match, start):
            cut = match.end(2) if match.group(1) else match.end(4)
            sentences.append(block[start:cut].strip())
            start = match.end()
    sentences.append(block[start:].strip())
    return [s for s in sentences if s]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (plain or markdown), in order, each as it is written.

    A full stop, ``?``, ``!`` or ``...`` ends a sentence when a capital, a digit, a quote or
    a bracket follows; not after abbreviations (e.g., i.e., vs., Dr., Fig., et al.), initials
    or an item number. Decimals (3.14) and `code` or $math$ never split. Headings, list items
    and paragraphs always end a sentence (:func:`markdown_blocks`).

    >>> split_sentences("## Results\\n\\nIt works (see Fig. 2). Why? Ask Mr. Smith...")
    ['Results', 'It works (see Fig. 2).', 'Why?', 'Ask Mr. Smith...']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"text must be a string, got {type(text).__name__}. For a list of sentences or "
            "paragraphs, join them first: '\\n\\n'.join(parts)."
        )
    return [s for block in markdown_blocks(text) for s in _split_block(block)]

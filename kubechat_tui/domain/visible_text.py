"""Untrusted text made safe to show: every control or invisible character shown, never obeyed.

Names, log lines, event messages, model output and plan files may carry terminal escape
sequences (`ESC[2J` clears the screen, `ESC]0;…BEL` sets the window title, `ESC[8m` hides
what follows), C1 controls (`\\x9b` is a one-byte CSI on some terminals), carriage returns
that overwrite a line, and Unicode format characters that reorder or hide text (the bidi
overrides U+202A-U+202E and isolates U+2066-U+2069, zero-width characters, U+FEFF, tags).
`visible` keeps every character Python calls printable (`str.isprintable`: letters, marks,
digits, punctuation, symbols and the ASCII space), plus newline and tab when the text may
span lines, and replaces every other character with the escape JSON writes for it:

    \\n \\t \\r \\b \\f                 for those five characters
    \\u001b \\u009b \\u202e \\u00a0     \\u and four lowercase hex digits otherwise
    \\udb40\\udc01                    a character beyond U+FFFF as its UTF-16 surrogate pair

So an escape sequence reads `\\u001b[2J`, and a sequence is never obeyed, only shown. One
form everywhere: the console, `kubechat` text output and error lines show the same thing,
and a JSON document passed through `visible` stays valid JSON meaning the same data (its
strings already escape C0 controls; the rest become the escapes above). A backslash is
left alone, so printable text comes back unchanged and a literal `\\u001b` typed as six
characters reads the same as an escaped ESC: either way the reader sees something odd.
Lone surrogates (undecodable bytes) are escaped too, so the result always encodes as UTF-8.

Use `visible(text)` for text that may span lines (logs, YAML, diffs, messages) and
`visible(text, lines=False)` for one-line fields (names, table cells, titles, status lines).
"""

from __future__ import annotations

SHORT_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
LINE_BREAKS = "\n\t"  # kept as they are when the text may span lines


def visible(text: str, *, lines: bool = True) -> str:
    """`text` with every non-printable character replaced by its JSON escape (see above);
    newline and tab are kept when `lines` is true."""
    if is_visible(text, lines=lines):  # the common case, checked in C
        return text
    return "".join(visible_chars(text, lines=lines))


def visible_chars(text: str, *, lines: bool = True) -> list[str]:
    """How each character of `text` is shown: itself, or its escape (for callers that must
    map positions, such as styled console text)."""
    keep = LINE_BREAKS if lines else ""
    return [ch if ch.isprintable() or ch in keep else escape(ch) for ch in text]


def is_visible(text: str, *, lines: bool = True) -> bool:
    """True when `visible` would return `text` unchanged."""
    probe = text.replace("\n", "").replace("\t", "") if lines else text
    return probe.isprintable()


def escape(ch: str) -> str:
    """The JSON escape of one character: `\\n`, `\\u001b`, or a surrogate pair."""
    short = SHORT_ESCAPES.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

"""Cleaning rules for English→French pairs read from gettext translation catalogues.

Software translation catalogues (``.mo`` files) hold human translations of user
interface strings, but in the form a program needs, not a reader: a context
before the English, accelerator marks (``~Save``, ``_Save``), HTML markup,
placeholders the program fills in (``%s``, ``{0}``, ``$1``), line breaks. The
rules below turn one catalogue entry into a clean sentence pair, or drop it.
:data:`CLEANING_RULES_VERSION` names this rule set; the shipped data set
(:func:`nlpguide.data.translation_pairs`) records the version it was built with.
Only ``build_translation_data.py`` uses these rules, so they live here, beside it.

>>> clean_catalogue_pair("STR_SAVE\\x04~Save the document", "~Enregistrer le document",
...                      accelerators="~_")
('Save the document', 'Enregistrer le document')
>>> clean_catalogue_pair("Delete %s", "Supprimer") is None
True
>>> drop_reason("Delete %s", "Supprimer")
'placeholders'
>>> deduplicate([("Open", "Ouvrir"), ("Open", "Ouvrir"), ("Open", "Ouvert")])
{'Open': 'Ouvrir'}
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence

from nlpguide import _check

__all__ = [
    "ACCELERATOR_MARKS",
    "CLEANING_RULES",
    "CLEANING_RULES_VERSION",
    "clean_catalogue_pair",
    "deduplicate",
    "drop_reason",
    "placeholders",
]

#: Bumped whenever a rule changes what a pair becomes: the shipped splits record it.
CLEANING_RULES_VERSION = 1

#: The marks :func:`clean_catalogue_pair` can treat as accelerators (``accelerators=``).
ACCELERATOR_MARKS = "~_&"

#: The reasons :func:`drop_reason` can give, in the order the rules are applied.
CLEANING_RULES: tuple[str, ...] = ("placeholders", "empty", "no letters", "copy")

# One alternative per placeholder syntax. ``%%`` (a literal percent sign) comes first so
# that it is consumed and never read as the start of a placeholder.
_PLACEHOLDER = re.compile(
    r"""
      %%                                              # literal percent (not a placeholder)
    | %\([^()\s]+\)[-+\#0]*\d*(?:\.\d+)?[sdifrxXeEgGcoua]  # %(name)s  (Python, Django)
    | %[A-Z][A-Z0-9_]+%?                              # %PRODUCTNAME, %LEVEL%  (LibreOffice)
    | %(?:\d+\$)?[-+\#0]*\d*(?:\.\d+)?[sdifrxXeEgGcou] # %s %d %.2f %1$s  (printf)
    | %\d+                                            # %1  (Qt, LibreOffice, JupyterLab)
    | \{[^{}\s]*\}                                    # {0} {name} {} {0:.2f}  (str.format)
    | \$\([A-Za-z0-9_]+\)                             # $(ARG1)  (LibreOffice)
    | \$[A-Za-z_][A-Za-z0-9_]*\$?                     # $NAME, $name$  (LibreOffice)
    | \$\d+                                           # $1  (LibreOffice)
    | \#[A-Z][A-Z0-9_]*\#                             # #PAGENUMBER#  (LibreOffice reports)
    """,
    re.VERBOSE,
)

# Markup that formats a string rather than being part of it. Only these tag names are
# removed: LibreOffice also writes real text in angle brackets (``<All Files>``,
# ``<None>``, ``<=``) and those stay.
_INLINE_TAGS = (
    "a|abbr|ahelp|b|big|bookmark_value|caseinline|code|defaultinline|em|emph|font|i|item"
    "|kbd|link|menuitem|q|s|small|span|strong|sub|sup|switchinline|tt|u|variable"
)
_BLOCK_TAGS = "br|div|h[1-6]|li|ol|p|pre|ul"
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _accelerator_pattern(mark: str) -> re.Pattern[str]:
    # A doubled mark is the literal character; a single mark before a letter or digit
    # is the accelerator and goes.
    m = re.escape(mark)
    return re.compile(rf"{m}{m}|{m}(?=[^\W_])")


_ACCELERATORS = {mark: _accelerator_pattern(mark) for mark in ACCELERATOR_MARKS}


def _check_marks(accelerators: object) -> str:
    marks = _check.text("accelerators", accelerators, empty=True)
    unknown = sorted(set(marks) - set(ACCELERATOR_MARKS))
    if unknown:
        raise ValueError(
            f"accelerators must be made of {ACCELERATOR_MARKS!r}, got {''.join(unknown)!r}"
        )
    return marks


def placeholders(text: str) -> list[str]:
    """The placeholders in a catalogue string, in order (``%%`` is a literal, not one).

    Recognised: printf (``%s``, ``%d``, ``%.2f``, ``%1$s``), Python's ``%(name)s``,
    ``str.format`` fields (``{}``, ``{0}``, ``{name}``), Qt/LibreOffice ``%1`` and
    ``%PRODUCTNAME``, LibreOffice ``$1``, ``$(ARG1)``, ``$name$`` and ``#PAGENUMBER#``.

    >>> placeholders("Copy %(count)s files to {dest} (%1 of %2), 100%% done")
    ['%(count)s', '{dest}', '%1', '%2']
    >>> placeholders("%PRODUCTNAME could not open $(ARG1): $1")
    ['%PRODUCTNAME', '$(ARG1)', '$1']
    >>> placeholders("A 100% value")
    []
    """
    _check.text("text", text, empty=True)
    return [m for m in _PLACEHOLDER.findall(text) if m != "%%"]


def _strip_accelerators(text: str, marks: str) -> str:
    # Placeholders keep their underscores (``%(file_name)s``, ``%LEVEL_CURRENT%``):
    # only the text between them is touched.
    if not marks:
        return text
    pieces = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append(text[last : match.start()])
        pieces.append(match.group())
        last = match.end()
    pieces.append(text[last:])
    for i in range(0, len(pieces), 2):
        for mark in marks:
            pieces[i] = _ACCELERATORS[mark].sub(_literal_or_nothing, pieces[i])
    return "".join(pieces)


def _literal_or_nothing(match: re.Match[str]) -> str:
    # "~~" -> "~" (the literal character); a single mark -> "" (the accelerator).
    text = match.group()
    return text[0] if len(text) == 2 else ""


def _clean_side(text: str, marks: str) -> str:
    text = _strip_accelerators(text, marks)
    text = _BLOCK_TAG.sub(" ", text)
    text = _INLINE_TAG.sub("", text)
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return " ".join(text.split())


def _has_letters(text: str) -> bool:
    # The "s" of "%s" or the "ARG" of "$(ARG1)" is not a word.
    return any(c.isalpha() for c in _PLACEHOLDER.sub("", text))


def _clean(english: object, french: object, accelerators: object) -> tuple[str, str] | str:
    """The cleaned pair, or the name of the rule that drops it."""
    english = _check.text("english", english, empty=True)
    french = _check.text("french", french, empty=True)
    marks = _check_marks(accelerators)
    _, eot, msgid = english.partition("\x04")
    source = msgid if eot else english
    if Counter(placeholders(source)) != Counter(placeholders(french)):
        return "placeholders"
    en, fr = _clean_side(source, marks), _clean_side(french, marks)
    if not en or not fr:
        return "empty"
    if not _has_letters(en) or not _has_letters(fr):
        return "no letters"
    if en == fr and len(en.split()) > 1:
        return "copy"
    return en, fr


def clean_catalogue_pair(
    english: str, french: str, *, accelerators: str = ""
) -> tuple[str, str] | None:
    """One catalogue entry as a clean ``(english, french)`` pair, or ``None`` to drop it.

    ``english`` is the entry's key as ``gettext`` stores it (a ``msgctxt`` may
    come first, ending in ``"\\x04"``); ``french`` is its translation.
    ``accelerators`` names the catalogue's accelerator marks, a subset of
    :data:`ACCELERATOR_MARKS` (LibreOffice: ``"~_"``; the default ``""`` for
    catalogues without mnemonics, where ``_`` is part of identifiers such as
    ``known_hosts``). The rules, in order:

    1. **Context.** Everything up to the first ``"\\x04"`` in ``english`` is the
       ``msgctxt`` and goes.

       >>> clean_catalogue_pair("menu|open\\x04Open", "Ouvrir")
       ('Open', 'Ouvrir')

    2. **Placeholders** (:func:`placeholders`) must match between the sides, as a
       multiset (order may change, count may not); otherwise the entry is dropped
       (reason ``"placeholders"``). Matching placeholders stay in the text.

       >>> clean_catalogue_pair("Page %1 of %2", "Page %2 sur %1")
       ('Page %1 of %2', 'Page %2 sur %1')
       >>> clean_catalogue_pair("{} selected", "sélectionné") is None
       True

    3. **Accelerators.** A mark of ``accelerators`` directly before a letter or
       digit is removed; a doubled mark (``~~``) is the literal character.
       Placeholders keep their own ``_``.

       >>> clean_catalogue_pair("Y_ear and ~~", "_Année et ~~", accelerators="~_")
       ('Year and ~', 'Année et ~')
       >>> clean_catalogue_pair("Edit known_hosts", "Modifier known_hosts")
       ('Edit known_hosts', 'Modifier known_hosts')

    4. **Markup.** HTML and LibreOffice help tags (``<b>``, ``<code>``,
       ``<ahelp hid=...>``, ``<br>``; a fixed list of names) are removed, block
       tags leaving a space; character entities (``&amp;``, ``&#169;``) are decoded.
       Other text in angle brackets (``<All Files>``, ``<=``) is kept.

       >>> clean_catalogue_pair("Done.<BR>Use <b>%s</b> &amp; more", "Fini.<BR>Utilisez <b>%s</b> &amp; plus")
       ('Done. Use %s & more', 'Fini. Utilisez %s & plus')
       >>> clean_catalogue_pair("<All Files>", "<Tous les fichiers>")
       ('<All Files>', '<Tous les fichiers>')

    5. **Whitespace.** Runs of whitespace (line breaks, tabs, French no-break
       spaces before ``:`` and inside ``« »``) become one space; ends are trimmed.

       >>> clean_catalogue_pair("Name:\\n", "Nom\\u00a0:")
       ('Name:', 'Nom :')

    6. **Empty.** An entry with nothing left on either side is dropped
       (``"empty"``): the catalogue header (``msgid ""``) and untranslated entries.
    7. **No letters.** An entry with no letter outside placeholders on either side
       (``"<="``, ``"75%"``, ``"%s: %s"``) is dropped (``"no letters"``).
    8. **Copies.** An entry whose French equals its English is dropped when the
       English has more than one word (``"copy"``): such entries are mostly left
       untranslated. One-word copies (``"OK"``, ``"Format"``, ``"Zoom"``) are real
       French and stay.

       >>> clean_catalogue_pair("Format", "Format")
       ('Format', 'Format')
       >>> drop_reason("Open Office XML", "Open Office XML")
       'copy'

    Plural entries and duplicates are not this function's business: the data
    set's build script takes the singular (``msgid``, first ``msgstr``) of each
    plural entry, and :func:`deduplicate` keeps one French per English string.

    Wrong types raise :class:`TypeError`; an unknown accelerator mark raises
    :class:`ValueError`.
    """
    result = _clean(english, french, accelerators)
    return None if isinstance(result, str) else result


def drop_reason(english: str, french: str, *, accelerators: str = "") -> str | None:
    """Which rule of :func:`clean_catalogue_pair` drops the entry (a :data:`CLEANING_RULES` name), or ``None`` if it stays.

    >>> drop_reason("Cancel", "Annuler") is None
    True
    >>> drop_reason("", "Project-Id-Version: LibreOffice")
    'empty'
    >>> drop_reason("<=", "<=")
    'no letters'
    """
    result = _clean(english, french, accelerators)
    return result if isinstance(result, str) else None


def deduplicate(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """One French per English string: the most frequent, ties broken by code-point order.

    Catalogues translate the same English in several places, not always the same
    way ("Open" → "Ouvrir" in one dialog, "Ouvert" in another). Keeping one
    translation per English string makes the data a function, so no English
    string can sit in two splits with two answers. The result is sorted by English.

    >>> deduplicate([("Open", "Ouvrir"), ("Close", "Fermer"), ("Open", "Ouvert")])
    {'Close': 'Fermer', 'Open': 'Ouvert'}
    """
    items: object = pairs
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(
            f"pairs must be a list of (english, french) tuples, got {type(pairs).__name__}"
        )
    counts: dict[str, Counter[str]] = {}
    for item in items:
        if not isinstance(item, tuple):
            raise TypeError(f"pairs must hold (english, french) tuples, got {type(item).__name__}")
        if len(item) != 2:
            raise ValueError(f"pairs must hold (english, french) tuples, got {len(item)} items")
        english, french = item
        _check.text("english", english, empty=True)
        _check.text("french", french, empty=True)
        counts.setdefault(english, Counter())[french] += 1
    return {
        english: min(counts[english].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        for english in sorted(counts)
    }

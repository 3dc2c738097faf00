"""How a problem with the data is placed and worded: ``(table, row N 'id') | message``.

A problem found on many rows is listed for the first :data:`SHOWN` of them, then counted
(:func:`each_row`); values quoted are shortened (:func:`quote`), so a huge or hostile cell is
never echoed; an unknown name gets the closest known one (:func:`suggest`).

>>> quote("x" * 50), suggest("Tarifs", ["tariffs", "lanes"])
("'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (50 characters)", " (did you mean 'tariffs'?)")
>>> suggest("7", ["007", "012"])
" (did you mean '007'? a cell holding a number drops its leading zeros: format the column as text)"
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .schema import TABLES

if TYPE_CHECKING:  # numpy and pandas are not imported at run time here: the CLI's --help stays light
    import numpy as np
    import pandas as pd

#: rows listed for one kind of problem in one table; the rest are counted
SHOWN = 10
#: characters of a value quoted in a problem
QUOTED = 40


#: control (C0, DEL, C1) and invisible characters (zero-width space, direction marks, soft hyphen,
#: BOM, line and paragraph separators, Hangul fillers): never in an id, a bloc or a policy's name
#: ('atlantic' and 'atlantic\u200b' would read alike and be two blocs; a right-to-left override
#: turned a console line round)
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\xad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028"
                       "\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]")


#: Cyrillic and Greek letters drawn as Latin ones in common fonts (a selection of Unicode's
#: confusables: 'S_СN' with a Cyrillic ES reads as 'S_CN'); NFKC keeps them apart
LATIN_LOOK_ALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТУХԚԜҮӀѴԌаеѕіјԁһорсухԛԝӏүѵ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικανρυγ",
    "ABESIJKMHOPCTYXQWYIVGaesijdhopcyxqwlyv" "ABEZHIKMNOPTYXoikavpuy")


def look_alike_key(text: str) -> str:
    """What ``text`` reads as: NFKC (fullwidth letters as plain ones), Cyrillic and Greek letters
    drawn as Latin ones as those (:data:`LATIN_LOOK_ALIKES`), case folded, without the characters
    that do not show (format characters such as a zero-width joiner, the combining grapheme
    joiner) and with any run of spaces (a no-break space too) as one; two names of one key look
    the same on a page.

    >>> look_alike_key("S_DE_Dresden\u200d") == look_alike_key("ｓ_de_dresden"), look_alike_key("a\xa0 b")
    (True, 'a b')
    >>> look_alike_key("S_\u0421N_Wuxi") == look_alike_key("S_CN_Wuxi")  # a Cyrillic ES
    True
    """
    if text.isascii():
        return " ".join(text.casefold().split())
    folded = unicodedata.normalize("NFKC", text).translate(LATIN_LOOK_ALIKES).casefold()
    shown = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf" and ch != "\u034f")
    return " ".join(shown.split())


#: the characters of a name written on a figure (a tick, a map's label): longer ones end in "…"
LABEL_CHARS = 40


def printable(text: str) -> str:
    r"""``text`` with its control characters escaped, nothing cut: a path holding a line break
    forged a problem line of its own, and an escape code reached the terminal (audit).

    >>> printable("p\nplan written to elsewhere\x1b[31m")
    'p\\nplan written to elsewhere\\x1b[31m'
    """
    return text if text.isprintable() else "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def clip(text: str, width: int = 160) -> str:
    """``text`` for a one-line message: control characters escaped, at most ``width`` characters."""
    head = printable(text[:width])
    return head if len(text) <= width and len(head) <= width else head[:width - 1] + "…"


def short_label(text: str, width: int = 40) -> str:
    """``text`` as a figure's label of at most ``width`` characters, cut in the middle: names that
    share a long beginning keep the end that tells them apart (cut at the end, 24 markets named
    'Acme_Consumer_Electronics_Regional_Sales_Area_<city>' read alike: audit).

    >>> short_label("Acme_Consumer_Electronics_Regional_Sales_Area_Berlin", 30)
    'Acme_Consumer_E…es_Area_Berlin'
    """
    text = clip(text, len(text) + 1)  # control characters escaped, nothing cut
    if len(text) <= width:
        return text
    tail = (width - 1) // 2
    return text[:width - 1 - tail] + "…" + text[-tail:]


def brief(value: Any, width: int = 60) -> str:
    """``repr(value)`` for a one-line message, cut to ``width`` characters with an ellipsis
    (a cut mid-way read as whole: ``Network(2 suppliers, 1 hub`` lost its parenthesis)."""
    return clip(repr(value), width)


def quote(value: Any, width: int = QUOTED, count: bool = True) -> str:
    """``value`` quoted for a one-line message (:func:`clip`), the length given when cut
    (``'aaaa…' (300,000 characters)``; not with ``count=False``)."""
    text = value if isinstance(value, str) else str(value)
    cut = count and len(text) > width
    mark = '"' if "'" in text and '"' not in text else "'"  # "'S1" reads better than ''S1'
    return f"{mark}{clip(text, width)}{mark}" + (f" ({len(text):,} characters)" if cut else "")


def closest(name: Any, known: Collection[str]) -> str | None:
    """The known name closest to ``name`` (the same but for case, or a near spelling), or None."""
    if not isinstance(name, str) or not known or len(name) > 200:
        return None
    lower = {k.lower(): k for k in known if isinstance(k, str)}
    hit = lower.get(name.strip().lower())
    if hit is None:
        close = difflib.get_close_matches(name.strip().lower(), list(lower)[:5000], n=1, cutoff=0.75)
        hit = lower[close[0]] if close else None
    return hit if hit != name else None


def suggest(name: Any, known: Collection[str]) -> str:
    """`` (did you mean 'x'?)``; else the look-alike letters no known name has ('Е' in 'DЕ'), or ``""``.

    >>> suggest("'-S1", ["-S1", "S2"])[:32]
    " (did you mean '-S1'? a leading "
    """
    if isinstance(name, str) and name.isdigit() and len(name) <= 200:  # 7 for "007", as a number cell has it
        zeros = next((k for k in known if isinstance(k, str) and k.isdigit() and k != name
                      and k.lstrip("0") == name.lstrip("0")), None)
        if zeros is not None:
            return (f" (did you mean {quote(zeros)}? a cell holding a number drops its leading zeros: "
                    "format the column as text)")
    if isinstance(name, str) and name.startswith("'") and name[1:] in known:
        return (f" (did you mean {quote(name[1:])}? a leading ' marks text that would read as a formula, in "
                "the CSV files the library writes and in spreadsheets: leave it out)")
    hit = closest(name, known)
    if hit is not None:
        return f" (did you mean {quote(hit)}?{_look_alike(name, hit)})"
    if not isinstance(name, str) or name.isascii() or len(name) > 200:
        return ""
    seen, scripts = set().union(*(k for k in known if isinstance(k, str))), ("CYRILLIC", "GREEK")  # not 'ö'
    odd = [c for c in dict.fromkeys(name) if c not in seen and unicodedata.name(c, "").startswith(scripts)]
    named = ", ".join(f"{ch!r} ({unicodedata.name(ch, f'U+{ord(ch):04X}')})" for ch in odd[:3])
    return f" (it holds {named}, which no known name has: a look-alike letter?)" if odd else ""


def _look_alike(name: str, hit: str) -> str:
    """What tells ``name`` from the known ``hit`` where only letters outside ASCII do, which
    look the same on screen (a Cyrillic 'С' for a 'C'), else ``""``."""
    pairs = list(dict.fromkeys((a, b) for a, b in zip(name, hit, strict=False) if a != b))
    if len(name) != len(hit) or not pairs or not all(not a.isascii() and b.isascii() for a, b in pairs):
        return ""
    said = ", ".join(f"{a!r} ({unicodedata.name(a, f'U+{ord(a):04X}')}) where that has {b!r}"
                     for a, b in pairs[:3])
    return f" this one holds {said}: a look-alike letter"


def period_hint(period: str, ids: list[str]) -> str:
    """Which listed period ``period`` was likely meant: a date holding it (a workbook's period
    cell typed as a date reads 2027-01-01), one holding its digits ('FY27', '2027.00'); near
    spellings only for periods that are no numbers (difflib ranks 2026, 2028 and 2029 alike
    for 2027 and named 2029)."""
    dated = next((k for k in ids if k.startswith(f"{period}-")), None)
    if period.isdigit() and dated is not None:
        return f" (periods holds {quote(dated)}, a date cell: format the period column as Text)"
    if period.isdigit():
        held = next((k for k in ids if period in k or re.sub(r"\D", "", k) == period[-2:]), None)
        return f" (did you mean {quote(held)}?)" if held is not None else ""
    return suggest(period, ids)


def not_read(others: list[tuple[str, str]], kind: str, source: Callable[[str], str],
             holds: Callable[[str, str], bool],
             present: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(problems, warnings) for the ``kind`` s (sheet, file) not read whose names hold a table's
    (``others``: (name, table) pairs, :func:`~resilient_sc.schema.mentioned_table`), the table
    being read from ``source(table)``: a problem when the table is not ``present`` and one of them
    ``holds`` its columns in its first row (it is that table: the plan would go without it), else
    a warning ('Tariff notes'); one line a table, a few names then a count (52 weekly sheets)."""
    problems: list[str] = []
    warnings: list[str] = []
    for table in dict.fromkeys(t for _, t in others):
        names = [name for name, t in others if t == table]  # in the order given
        more = f", … ({len(names)} in all)" if len(names) > 3 else ""
        shown = ", ".join(quote(n) for n in names[:3]) + more
        many = len(names) > 1
        words = (f"({table}) | {kind}{'s' * many} {shown} {'are' if many else 'is'} not read: the {table} "
                 f"table is read from {source(table)}")
        if not present(table) and any(holds(name, table) for name in names):
            problems.append(f"{words}; rename the {kind} (it holds the table's columns)")
        else:
            warnings.append(words + (", which is there" if present(table)
                                     else ", which is not there: the plan goes without it"))
    return problems, warnings


def listing(known: Iterable[str], most: int = 20) -> str:
    """The sorted ``known`` names, comma-separated, at most ``most`` of them."""
    names = sorted({str(k) for k in known})
    text = ", ".join(clip(n, QUOTED) for n in names[:most])
    return text + (f", … ({len(names):,} in all)" if len(names) > most else "")


def where(table: str, df: pd.DataFrame | None = None, pos: int | None = None) -> str:
    """The ``(table, row N 'id')`` prefix of a problem about row ``pos`` (0-based) of ``df``."""
    if df is None or pos is None:
        return f"({table})"
    key = [c for c in TABLES[table].key if c in df.columns] if table in TABLES else []
    # a blank period (every period) is left out: 'Paris, default', not 'Paris, default, '; a blank
    # (None, NaN) cell reads '', never 'nan'
    cells = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
             for v in (df[c].iloc[pos] for c in key)]
    label = ", ".join(v for c, v in zip(key, cells, strict=True) if not (c == "period" and v == ""))
    row = f"({table}, row {int(df['_row'].iloc[pos])}"
    if not any(v.strip() for v in cells):  # every key blank (a formula filled down): no ', ' label
        return row + ")"
    return f"{row} {quote(label, 60, count=False)})"


def each_row(problems: list[str], table: str, positions: Iterable[int] | np.ndarray,
             line: Callable[[int], str], what: str, shown: int = SHOWN) -> None:
    """``line(pos)`` for the first ``shown`` of ``positions``, then one line counting the rest
    (``(table) | … and 1,234 more rows where what``): linear, and never one line per row."""
    if not isinstance(positions, Sequence) and not hasattr(positions, "shape"):  # numpy's arrays slice too
        positions = list(positions)
    problems += [line(int(pos)) for pos in positions[:shown]]
    if len(positions) > shown:
        problems.append(f"({table}) | … and {len(positions) - shown:,} more rows where {what} "
                        f"({len(positions):,} in all)")


def unknown_references(problems: list[str], name: str, df: pd.DataFrame, col: str, known: set[str],
                       what: str, hint: Callable[[str], str] | None = None, listed: bool = False) -> None:
    """Each row whose ``col`` is not in ``known``, with the name likely meant (``hint``, else
    :func:`suggest`) and, when ``listed``, the known names."""
    values = df[col]
    hint = hint or (lambda v: suggest(v, known))
    every = f"; {what} are: {listing(known)}" if listed else ""
    each_row(problems, name, (~values.isin(known)).to_numpy().nonzero()[0],
             lambda pos: f"{where(name, df, pos)} | {col} {quote(values.iloc[pos])} is not in "
                         f"{what}{hint(values.iloc[pos])}{every}",
             f"{col} is not in {what}")


#: signs that read as a minus but are none: the minus sign, dashes, full-width and small hyphen-minus
MINUS_LOOKALIKES = frozenset("\u2212\u2013\u2014\ufe63\uff0d")
_CURRENCY = re.compile(r"[€$£¥₹]")
_GROUPED = re.compile(r"[+-]?\d{1,3}([,' \u00a0\u202f]\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}")
_PERCENT = re.compile(r"[+-]?\d+(\.\d+)?\s*%")
#: thousands by dots or spaces and a decimal comma (9.000,5; 6 100,5; 1.234.567): a locale's spelling
_GROUPED_BY_DOTS = re.compile(r"[+-]?\d{1,3}([.' \u00a0\u202f]\d{3})+(,\d+)?")
#: a date cell's text (an ISO date, maybe its time)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?")


def unaccented(text: str) -> str:
    """``text`` without its accents (composed, then combining marks dropped): ``São`` -> ``Sao``.

    >>> sorted(["Shanghai", "São Paulo", "Seoul"], key=lambda n: (unaccented(n).casefold(), n))
    ['São Paulo', 'Seoul', 'Shanghai']
    """
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def number_hint(text: str, fraction: bool = True) -> str:
    """What to type for a number a spreadsheet shows its own way: ``'; type 9000 (without
    thousands separators)'``, ``'; type 0.25 for 25% (shares and rates are fractions)'`` where the
    value is a ``fraction`` (a percentage of a quantity or cost has no such reading); empty when
    ``text`` is none of these.

    >>> number_hint("9,000"), number_hint("€38.19")
    ('; type 9000 (without thousands separators), or 9 if the comma is a decimal comma', \
'; type 38.19 (without the currency sign)')
    >>> number_hint("4,460"), number_hint("12,345,678")
    ('; type 4460 (without thousands separators), or 4.46 if the comma is a decimal comma', \
'; type 12345678 (without thousands separators)')
    >>> number_hint("38,19"), number_hint("25%"), number_hint("n/a")  # 1,234,567: 1234567, never 1.23457e+06
    ('; type 38.19 (with a decimal point)', '; type 0.25 for 25% (shares and rates are fractions)', '')
    >>> number_hint("€ 9.000,5")
    '; type 9000.5 (without the currency sign, without thousands separators and with a decimal point)'
    >>> number_hint("1.234.567"), number_hint("1912-03-17")[:32]
    ('; type 1234567 (without thousands separators)', '; the cell holds a date (a numbe')
    >>> number_hint("25%", fraction=False), number_hint("\u221290.05")
    ('', "; type -90.05 (with the minus sign '-')")
    >>> number_hint(" $-   ")
    '; type 0 where a zero is meant (an accounting format shows it as a dash)'
    """
    t, other = text.strip(), ""
    minus = t[:1] in MINUS_LOOKALIKES  # '−90.05' shown as if a number (spreadsheets audit)
    t = "-" + t[1:] if minus else t
    if _PERCENT.fullmatch(t):
        return (f"; type {float(t.rstrip('% ')) / 100:.15g} for {t} (shares and rates are fractions)"
                if fraction else "")
    bare = _CURRENCY.sub("", t).strip()
    if bare != t and bare in ("-", "–", "—"):  # '$ -': how an accounting format shows a zero (audit)
        return "; type 0 where a zero is meant (an accounting format shows it as a dash)"
    said = ["with the minus sign '-'"] * minus + ["without the currency sign"] * (bare != t)
    if _GROUPED.fullmatch(bare):
        said.append("without thousands separators")
        if re.fullmatch(r"[+-]?\d{1,3},\d{3}", bare):  # 4,460: 4.46 to a decimal-comma reader (audit)
            other = f", or {float(bare.replace(',', '.')):g} if the comma is a decimal comma"
        bare = re.sub(r"[,' \u00a0\u202f]", "", bare)
    elif _DECIMAL_COMMA.fullmatch(bare):
        said.append("with a decimal point")
        bare = bare.replace(",", ".")
    elif _GROUPED_BY_DOTS.fullmatch(bare):  # 9.000,5 or 1.234.567: a decimal comma's thousands
        said.append("without thousands separators")
        bare = re.sub(r"[.' \u00a0\u202f]", "", bare)
        if "," in bare:
            said.append("with a decimal point")
            bare = bare.replace(",", ".")
    elif _DATE.fullmatch(t):
        return "; the cell holds a date (a number formatted as a date shows as one): format it as a number"
    try:
        float(bare)
    except ValueError:
        return ""
    return (f"; type {bare} ({', '.join(said[:-1])}{' and ' * (len(said) > 1)}{said[-1]}){other}" if said
            else "")


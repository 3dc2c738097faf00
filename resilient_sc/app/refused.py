"""Files the browser's uploader refuses before sending them (over the size limit, of a kind not
read here), named with the rule they failed: NiceGUI's ``on_rejected`` passes neither, and the
page said the same words for a 1.7 MB workbook, a .csv and an .xls (app audit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..wording import clip

#: Quasar's name of the rule a file failed -> the words for it
RULES = {"max-file-size": "over the size limit", "accept": "not of a kind read here",
         "max-files": "one file at a time", "max-total-size": "over the size limit",
         "duplicate": "the file just loaded, still in the uploader: clear it (×) to load it again"}
#: each refused file as [its name, the rule it failed], from the browser
ENTRIES = "(entries) => emit((entries || []).map(e => [e.file ? e.file.name : '', e.failedPropValidation]))"


#: the byte limit, and its words, of each uploader held to another limit than a data file's (the
#: policy file's), by its address: the server refuses a larger upload before reading it (a policy
#: file of 200 MB was read whole, to disk and memory, before its 1 MB limit refused it)
UPLOAD_LIMITS: dict[str, tuple[int, str]] = {}


def limit_uploads(uploader: Any, limit: int, words: str) -> None:
    """Hold uploads to ``uploader`` to ``limit`` bytes (``words``: the limit as said) on the
    server, until its tab is gone."""
    url = uploader.props["url"]
    UPLOAD_LIMITS[url] = (limit, words)
    uploader.client.on_delete(lambda: UPLOAD_LIMITS.pop(url, None))


def on_refused(uploader: Any, say: Callable[[list[tuple[str, str]]], None]) -> None:
    """Call ``say`` with the (name, rule) of each file ``uploader`` refuses (none when the browser
    names none)."""
    uploader.on("rejected", lambda e: say(entries(e.args)), js_handler=ENTRIES)


def entries(args: Any) -> list[tuple[str, str]]:
    """The (name, rule) pairs of an event's ``args`` ([] for anything else: a test's bare trigger)."""
    try:
        return [(str(name), str(rule)) for name, rule in args]
    except (TypeError, ValueError):
        return []


def refused_text(template: str, refused: list[tuple[str, str]]) -> str:
    """``template`` (``the file was not read: expected …``) with the files and why, when known.

    >>> refused_text("the file was not read: expected a .zip", [("net.csv", "accept")])
    "the file 'net.csv' was not read (not of a kind read here): expected a .zip"
    """
    if not refused:
        return template
    named = ", ".join(f"'{clip(name, 80)}'" for name, _ in refused)
    why = ", ".join(dict.fromkeys(RULES.get(rule, rule) for _, rule in refused))
    return template.replace("the file was not read", f"the file {named} was not read ({why})", 1)

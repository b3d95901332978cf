"""Texts kept for people to read later, translated when shown, never when stored.

A text built from a message and values (a transfer's reason in history, a revert's
note) is stored as its untranslated msgid (marked with ``gettext_noop``) and its named
parameters, as JSON: ``text_stored``. Screens, the trail and exports show it with
``text_shown``, in the language of whoever reads it (an export: the exporter's).

A value that is itself a translated word (a model's ``verbose_name``, given lazily:
``gettext_lazy``) is kept as its msgid too, and translated when shown with the rest.

Rows stored before, or never built from a message, hold plain text: a msgid stored
alone ("Moved") is translated, anyone's own words are shown as they are.
"""

import json
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, override

# sort_keys puts "msgid" first: a stored text is recognised by this prefix.
_PREFIX = '{"msgid": '


Value = str | int | float | dict[str, str]  # a text, a number, or {"msgid": a word}


def _value(value: Any) -> Value:
    # Numbers stay numbers (``%(count)d``); anything else is kept as its text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def _stored_value(value: Any) -> Value:
    if isinstance(value, Promise):  # a lazily translated word: its msgid, in no language
        with override(None):
            return {"msgid": str(value)}
    return _value(value)


def _read_value(value: Any) -> Value:
    if isinstance(value, dict) and set(value) == {"msgid"} and isinstance(value["msgid"], str):
        return {"msgid": value["msgid"]}
    return _value(value)


def _shown_value(value: Value) -> str | int | float:
    return gettext(value["msgid"]) if isinstance(value, dict) else value


def text_stored(msgid: str, **params: Any) -> str:
    """The stored form of ``msgid % params``: the msgid and its parameters (text, numbers,
    and lazily translated words as their msgids)."""
    values = {name: _stored_value(value) for name, value in params.items()}
    return json.dumps({"msgid": msgid, "params": values}, ensure_ascii=False, sort_keys=True)


def _parsed(stored: str) -> tuple[str, dict[str, Value]] | None:
    if not stored.startswith(_PREFIX):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"msgid", "params"}:
        return None
    msgid, params = data["msgid"], data["params"]
    if not isinstance(msgid, str) or not isinstance(params, dict):
        return None
    return msgid, {str(name): _read_value(value) for name, value in params.items()}


def text_cut(stored: str, limit: int) -> str:
    """``stored`` within ``limit`` characters, still readable: a stored text loses the end
    of its longest text parameter (cut anywhere else, it would no longer read as one)."""
    if len(stored) <= limit:
        return stored
    parsed = _parsed(stored)
    if parsed is None:
        return stored[:limit]
    msgid, params = parsed
    while len(stored) > limit:
        texts = [name for name, value in params.items() if isinstance(value, str) and value]
        if not texts:
            with override(None):  # nothing left to cut: the words, untranslated
                return text_shown(stored)[:limit]
        longest = max(texts, key=lambda name: len(str(params[name])))
        value = str(params[longest])
        params[longest] = value[: max(0, len(value) - (len(stored) - limit))]
        stored = json.dumps({"msgid": msgid, "params": params}, ensure_ascii=False, sort_keys=True)
    return stored


def text_is_stored(value: str | None) -> bool:
    """Whether ``value`` is a stored text (``text_stored``), not plain text."""
    return bool(value) and _parsed(value or "") is not None


def text_shown(stored: str | None) -> str:
    """``stored`` in the active language: a stored text translated and filled in, a plain
    msgid translated, any other text unchanged."""
    if not stored:
        return ""
    parsed = _parsed(stored)
    if parsed is None:
        return gettext(stored)
    msgid, stored_params = parsed
    params = {name: _shown_value(value) for name, value in stored_params.items()}
    for template in (gettext(msgid), msgid):
        try:
            return template % params
        except (KeyError, ValueError, TypeError):
            continue  # a translation naming other placeholders: the original's words
    return stored

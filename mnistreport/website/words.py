"""The words of each language that are not in the Markdown pages.

``content/<lang>/words.toml`` holds the page chrome (``[ui]``), the words inside
charts (``[chart]``), table headers (``[table]``) and the interactive parts'
words (``[explore]``, ``[draw]``), so translating the site means editing files
per language, never Python. Every language must have the same sections and
keys; a difference stops the build with a message naming the file and key.
"""

from __future__ import annotations

from mnistreport.errors import ReportError

import re
import tomllib
from pathlib import Path
from typing import Mapping

Words = Mapping[str, Mapping[str, str]]  # section -> key -> text

WORDS_FILE = "words.toml"


class WordsError(ReportError, ValueError):
    """A words file that cannot be used; the message names the file (and key)."""


def load_words(content_dir: Path, lang: str) -> dict[str, dict[str, str]]:
    """Read ``content_dir/lang/words.toml``: {section: {key: text}}."""
    path = content_dir / lang / WORDS_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WordsError(f"{path}: missing (the words of charts, tables and page chrome)") from exc
    except UnicodeDecodeError as exc:
        raise WordsError(f"{path}: expected UTF-8 text, found the byte 0x{exc.object[exc.start]:02x} at byte "
                         f"{exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise WordsError(f"{path}: not valid TOML: {exc}") from exc
    for section, words in raw.items():
        if not isinstance(words, dict) or not all(isinstance(v, str) for v in words.values()):
            raise WordsError(f"{path}: [{section}] must be a table of key = \"text\" lines")
    return raw


DICT_ATTRIBUTES = frozenset(dir(dict))
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders a text fills in (the same in every language)."""
    return set(_PLACEHOLDER.findall(text))


def load_all_words(content_dir: Path, langs: tuple[str, ...]) -> dict[str, dict[str, dict[str, str]]]:
    """The words of every language, checked to have the same sections, keys and placeholders."""
    words = {lang: load_words(content_dir, lang) for lang in langs}
    first = langs[0]
    problems = []
    for lang in langs[1:]:
        for section in sorted(set(words[first]) | set(words[lang])):
            mine, theirs = words[lang].get(section, {}), words[first].get(section, {})
            for key in sorted(set(theirs) - set(mine)):
                problems.append(f"{content_dir / lang / WORDS_FILE}: [{section}] {key} is missing (it is in {first})")
            for key in sorted(set(mine) - set(theirs)):
                problems.append(f"{content_dir / first / WORDS_FILE}: [{section}] {key} is missing (it is in {lang})")
            for key in sorted(set(mine) & set(theirs)):
                if placeholders(mine[key]) != placeholders(theirs[key]):
                    problems.append(f"{content_dir / lang / WORDS_FILE}: [{section}] {key}: expected the placeholders "
                                    f"{sorted(placeholders(theirs[key]))} (as in {first}), found "
                                    f"{sorted(placeholders(mine[key]))}")
    for lang in langs:
        for section, texts in words[lang].items():
            for key in sorted(set(texts) & DICT_ATTRIBUTES):
                problems.append(f"{content_dir / lang / WORDS_FILE}: [{section}] {key}: a key named like a dict "
                                "method would be shadowed by it in templates (words.items); rename it")
    if problems:
        raise WordsError("words files differ:\n  " + "\n  ".join(problems))
    return words

"""The words files: the same sections, keys and placeholders in every language, checked where they load."""

import shutil

import pytest

from conftest import CONTENT
from mnistreport.website.content import LANGS
from mnistreport.website.words import WordsError, load_all_words


def test_the_shipped_words_load_in_every_language():
    words = load_all_words(CONTENT, LANGS)
    assert words["en"]["explorer"].keys() == words["ja"]["explorer"].keys()


@pytest.fixture()
def content(tmp_path):
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path / "content"


def edit(content, lang: str, old: str, new: str) -> None:
    path = content / lang / "words.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_key_missing_in_one_language_is_named(content):
    edit(content, "ja", "\n[chart]\n", "\n[chart]\nonly_here = \"x\"\n")
    with pytest.raises(WordsError, match=r"en/words.toml: \[chart\] only_here is missing \(it is in ja\)"):
        load_all_words(content, LANGS)


def test_a_placeholder_that_differs_is_named_in_any_section(content):
    path = content / "ja" / "words.toml"
    text = path.read_text(encoding="utf-8")
    key, value = next((line.split(" = ", 1) for line in text.splitlines() if "{" in line and " = " in line))
    edit(content, "ja", f"{key} = {value}", f"{key} = {value.replace('{', '{renamed_', 1)}")
    with pytest.raises(WordsError, match=rf"ja/words.toml: \[\w+\] {key}: expected the placeholders"):
        load_all_words(content, LANGS)


def test_a_key_named_like_a_dict_method_is_refused(content):
    for lang in LANGS:
        edit(content, lang, "\n[chart]\n", "\n[chart]\nitems = \"x\"\n")
    with pytest.raises(WordsError, match=r"\[chart\] items: a key named like a dict method"):
        load_all_words(content, LANGS)

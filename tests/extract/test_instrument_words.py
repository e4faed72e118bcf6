"""instruments.words tokenises ASCII text by translation; it must find exactly the tokens of the
regex it stands for ([a-z]+|[0-9]+ on the lower-cased text)."""

from __future__ import annotations

from auditor.extract import instruments
from tests.extract.test_fast_patterns import corpus_texts


def test_words_are_the_regex_tokens() -> None:
    for text in sorted(corpus_texts()) + ["SF-36v2", "EQ5D-5L", "a1b2c3", "x\x1cy", "ÄQ-5D ſ"]:
        assert instruments.words(text) == frozenset(instruments._WORDS.findall(text.lower())), text[:200]
        instruments.words.cache_clear()

"""The names the CLI knows without importing the readers and renderers match the real registries."""

from __future__ import annotations

from auditor import report, sources, vocabulary


def test_reader_names_are_the_readers() -> None:
    assert tuple(sources.READERS) == vocabulary.READER_NAMES


def test_output_formats_are_the_renderers() -> None:
    assert tuple(report.REPORTERS) == vocabulary.OUTPUT_FORMATS
    assert set(report.REPORTERS) >= vocabulary.ANNOTATING


def test_share_counts_only_applicable_records() -> None:
    assert vocabulary.share({"met": 1, "not_met": 1, "unclear": 2, "not_applicable": 6}) == 0.25
    assert vocabulary.share({"met": 0, "not_met": 0, "unclear": 0, "not_applicable": 3}) is None

"""Huge and hostile files end in one clear error, never a traceback or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources import read_blob, read_paths, sizes, spool


def _bomb(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return ("\n".join(lines) + "\ntrial: {title: t}\n").encode()


def test_yaml_alias_bomb_is_refused() -> None:
    with pytest.raises(InputError, match="alias expansion"):
        list(read_blob(_bomb(), "bomb.yaml"))


def test_deeply_nested_yaml_is_refused() -> None:
    text = "trial:\n  title: x\nx: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InputError, match="nesting too deep"):
        list(read_blob(text.encode(), "deep.yaml"))


def test_file_over_the_size_limit_names_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizes, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_bytes(b'{"protocolSection": {}}' + b" " * 2000)
    (item,) = list(read_paths([str(path)]))
    assert isinstance(item, InputError)
    assert "larger than 1000 bytes" in item.one_line() and str(path) in item.one_line()


@pytest.mark.parametrize("actual, hint", [(999, None), (999, 999), (999, 10), (1001, None), (1001, 1001), (1001, 10),
                                          (5000, 0)])
def test_size_limit_holds_whatever_size_was_expected(actual: int, hint: int | None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are read with their stat size as the hint; a file that grew, a gzip stream (no hint) and
    a zip member whose header lies are all held to the limit."""
    import io

    monkeypatch.setattr(sizes, "MAX_FILE_BYTES", 1000)
    data = bytes(range(256)) * (actual // 256) + b"x" * (actual % 256)
    if actual <= 1000:
        assert spool.read_limited("s", io.BytesIO(data), hint) == data
    else:
        with pytest.raises(InputError, match="larger than 1000 bytes"):
            spool.read_limited("s", io.BytesIO(data), hint)


def test_gzip_content_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    monkeypatch.setattr(sizes, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json.gz"
    path.write_bytes(gzip.compress(b'{"protocolSection": {}}' + b" " * 5000))  # small on disk, big inside
    (item,) = list(read_paths([str(path)]))
    assert isinstance(item, InputError) and "larger than 1000 bytes" in item.one_line()

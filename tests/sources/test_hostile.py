"""Huge and hostile files end in one clear error, never a traceback or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.sources import containers, read_blob, read_paths


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
    monkeypatch.setattr(containers, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_bytes(b'{"protocolSection": {}}' + b" " * 2000)
    (item,) = list(read_paths([str(path)]))
    assert isinstance(item, InputError)
    assert "larger than 1000 bytes" in item.one_line() and str(path) in item.one_line()

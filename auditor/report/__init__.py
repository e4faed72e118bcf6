"""Output formats: each module renders a finished Report; none of them decides anything.

To add a format, add a module with a `render(report: Report, profile: Profile) -> str` function
and list it in `_MODULES` and in `auditor.vocabulary.OUTPUT_FORMATS` (what `--format` accepts).

Each module also has a `Stream(profile, **options)` with `head()`, `audit(audit)` and
`tail(report)`: `check` writes the report as records are audited (`STREAMS`), so its memory does
not grow with the input; `render` is the three joined. A format that needs every record first (the
HTML page's title names them all) keeps one compact row per record and writes at `tail`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from auditor import vocabulary

Renderer = Callable[..., str]  # (report: findings.Report, profile: engine.profiles.Profile, **options) -> str

# format -> the module whose `render` writes it.
_MODULES = {"text": "text", "markdown": "markdown", "json": "json_report", "sarif": "sarif", "github": "github",
            "html": "record_html"}


class _Renderers(Mapping[str, Renderer]):
    """The renderers by format name, each imported when first asked for: `check` in a pre-commit
    hook loads only the one it writes (the HTML one brings Jinja)."""

    def __getitem__(self, name: str) -> Renderer:
        render: Renderer = importlib.import_module(f"{__name__}.{_MODULES[name]}").render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTERS: Mapping[str, Renderer] = _Renderers()


def stream(name: str, profile: Any, **options: Any) -> Any:
    """The `Stream` of a format (see the module docstring)."""
    return importlib.import_module(f"{__name__}.{_MODULES[name]}").Stream(profile, **options)

# Formats that annotate gaps one by one and take `min_severity` (the lowest severity shown).
ANNOTATING = vocabulary.ANNOTATING

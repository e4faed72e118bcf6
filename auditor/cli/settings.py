"""Project configuration: `[tool.trial-audit]` in pyproject.toml or a standalone `.trial-audit.toml`.

Precedence, lowest first: built-in defaults < the configuration file < command-line options. The
file is the nearest one found walking up from the current directory (`.trial-audit.toml` before
`pyproject.toml` in the same folder), or the one named by `--config`. Every effective value
remembers where it came from, so `trial-audit config` can show it.

Selecting criteria is the engine's (`auditor.engine.selection`); this module reads the settings
that name them and checks that every selector matches a criterion of the profile, like a misspelt
key.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.engine.profiles import DEFAULT_PROFILE, Profile
from auditor.engine.selection import filtered, matches
from auditor.errors import InputError
from auditor.vocabulary import FAIL_LEVELS, SEVERITIES

STANDALONE = ".trial-audit.toml"
DEFAULTS: dict[str, Any] = {
    "profile": DEFAULT_PROFILE, "format": "text", "fail-on": "error", "min-severity": "info",
    "input-format": None, "select": [], "ignore": [], "severity": {}, "corrections": None,
}
_PER_PATH_KEYS = ("paths", "select", "ignore", "severity")


@dataclass(frozen=True)
class PerPath:
    paths: tuple[str, ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    origin: str = ""


@dataclass
class Config:
    values: dict[str, Any]
    origins: dict[str, str]
    per_path: list[PerPath]
    file: str | None  # the configuration file, shown as "path [table]"
    root: Path  # per-path patterns are relative to the configuration file's folder

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def _error(origin: str, message: str, where: str | None = None) -> InputError:
    return InputError(origin, message, where=where)


def _unknown_key(key: str, known: tuple[str, ...] | list[str], origin: str, where: str) -> InputError:
    import difflib  # only for a misspelt key: not at start-up

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
    return _error(origin, f"unknown configuration key {key!r}{hint}", where=where)


def find(start: Path) -> Path | None:
    """The nearest `.trial-audit.toml`, or `pyproject.toml` with a `[tool.trial-audit]` table."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / STANDALONE).is_file():
            return folder / STANDALONE
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "trial-audit" in _toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _error(str(path), f"cannot read configuration: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _error(str(path), f"configuration is not valid TOML: {exc}") from None


def read(path: Path) -> tuple[dict[str, Any], str]:
    """The settings table of a configuration file and how to name it in messages."""
    doc = _toml(path)
    if path.name == "pyproject.toml":
        table = doc.get("tool", {}).get("trial-audit")
        if table is None:
            raise _error(str(path), "has no [tool.trial-audit] table")
        return table, f"{path} [tool.trial-audit]"
    if isinstance(doc.get("tool"), dict) and "trial-audit" in doc["tool"]:
        # The pyproject.toml form copied into .trial-audit.toml (docs show both): say where keys go.
        raise _error(str(path), f"in {path.name} the keys stand at the top level (fail-on = ..., not under "
                                "[tool.trial-audit], which is for pyproject.toml): remove the [tool.trial-audit] "
                                "line and write [[tool.trial-audit.per-path]] as [[per-path]]", where="tool")
    return doc, str(path)


def _strings(value: Any, origin: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _error(origin, "must be a list of strings", where=where)
    return [s.strip() for v in value for s in v.split(",") if s.strip()]


def _choice(value: Any, choices: tuple[str, ...], origin: str, where: str) -> str:
    if value not in choices:
        raise _error(origin, f"{value!r} is not one of {', '.join(choices)}", where=where)
    return value


def _severities(value: Any, origin: str, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _error(origin, "must be a table of selector = severity", where=where)
    return {k: _choice(v, SEVERITIES, origin, f"{where}.{k}") for k, v in value.items()}


def _check(table: dict[str, Any], origin: str, formats: tuple[str, ...], readers: tuple[str, ...]) -> dict[str, Any]:
    """Validated, normalised settings; the per-path list stays under `per-path`."""
    out: dict[str, Any] = {}
    known = [*DEFAULTS, "per-path"]
    for key, value in table.items():
        if key not in known:
            raise _unknown_key(key, known, origin, key)
        if key in ("select", "ignore"):
            out[key] = _strings(value, origin, key)
        elif key == "severity":
            out[key] = _severities(value, origin, key)
        elif key == "fail-on":
            out[key] = _choice(value, FAIL_LEVELS, origin, key)
        elif key == "min-severity":
            out[key] = _choice(value, SEVERITIES, origin, key)
        elif key == "format":
            out[key] = _choice(value, formats, origin, key)
        elif key == "input-format":
            out[key] = _choice(value, readers, origin, key)
        elif key == "profile":
            if not isinstance(value, str):
                raise _error(origin, "must be a profile id or path", where=key)
            out[key] = value
        elif key == "corrections":
            if not isinstance(value, str):
                raise _error(origin, "must be the path of a corrections.yaml", where=key)
            out[key] = value
        else:
            out[key] = [_per_path(item, origin, i) for i, item in enumerate(value if isinstance(value, list) else [value])]
    return out


def _per_path(item: Any, origin: str, index: int) -> PerPath:
    where = f"per-path[{index}]"
    if not isinstance(item, dict):
        raise _error(origin, "must be a table with `paths`", where=where)
    for key in item:
        if key not in _PER_PATH_KEYS:
            raise _unknown_key(key, _PER_PATH_KEYS, origin, f"{where}.{key}")
    if "paths" not in item:
        raise _error(origin, "needs `paths` (a list of glob patterns)", where=where)
    return PerPath(paths=tuple(_strings(item["paths"], origin, f"{where}.paths")),
                   select=tuple(_strings(item.get("select", []), origin, f"{where}.select")),
                   ignore=tuple(_strings(item.get("ignore", []), origin, f"{where}.ignore")),
                   severity=_severities(item.get("severity", {}), origin, f"{where}.severity"), origin=origin)


def load(cli: dict[str, Any], config_path: str | None = None, cwd: Path | None = None,
         formats: tuple[str, ...] = ("text",), readers: tuple[str, ...] = (), isolated: bool = False) -> Config:
    """Defaults, then the configuration file, then the command-line values that are not None."""
    cwd = cwd or Path.cwd()
    path = None if isolated else Path(config_path) if config_path else find(cwd)
    values, origins = dict(DEFAULTS), dict.fromkeys(DEFAULTS, "default")
    per_path: list[PerPath] = []
    name = None
    if path is not None:
        table, name = read(path)
        settings = _check(table, name, formats, readers)
        per_path = settings.pop("per-path", [])
        if "profile" in settings and _looks_like_path(settings["profile"]):
            settings["profile"] = str((path.parent / settings["profile"]).resolve())
        if "corrections" in settings:
            settings["corrections"] = str((path.parent / settings["corrections"]).resolve())
        values.update(settings)
        origins.update(dict.fromkeys(settings, name))
    if os.environ.get("GITHUB_ACTIONS") == "true" and origins["format"] == "default" and "github" in formats:
        values["format"], origins["format"] = "github", "environment (GITHUB_ACTIONS=true)"
    for key, value in cli.items():
        if value is not None and value != () and value != []:
            values[key], origins[key] = value, f"command line (--{key})"
    root = path.parent.resolve() if path is not None else cwd.resolve()
    return Config(values=values, origins=origins, per_path=per_path, file=name, root=root)


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.lower().endswith((".json", ".yaml", ".yml"))


def check_selectors(config: Config, profile: Profile) -> None:
    """Every selector must name at least one criterion of the profile (exit 2 otherwise)."""
    named: list[tuple[str, str, str]] = [(s, config.origins[k], k) for k in ("select", "ignore") for s in config[k]]
    named += [(s, config.origins["severity"], f"severity.{s}") for s in config["severity"]]
    for i, entry in enumerate(config.per_path):
        for key in ("select", "ignore", "severity"):
            named += [(s, entry.origin, f"per-path[{i}].{key}") for s in getattr(entry, key)]
    for selector, origin, where in named:
        if not any(matches(selector, c) for c in profile.criteria):
            codes = ", ".join(c.code for c in profile.criteria)
            raise _selection_error(origin, f"unknown criterion or group {selector!r} for profile {profile.id}; "
                                           f"codes: {codes}", where)
    # A selection that leaves nothing to check would pass every file (a pre-commit hook that
    # always succeeds); per-path entries may still narrow a path to nothing on purpose.
    if not filtered(profile, config["select"], config["ignore"], {}).criteria:
        origin = config.origins["ignore"] if config["ignore"] else config.origins["select"]
        raise _selection_error(origin, f"select {list(config['select']) or 'all'} minus ignore "
                                       f"{list(config['ignore'])} leaves no criterion of profile {profile.id} to check",
                               "ignore")


def _selection_error(origin: str, message: str, where: str) -> InputError:
    """A selection mistake, named by its option on the command line, else by its file and key."""
    if origin.startswith("command line"):
        return _error(origin.removeprefix("command line (").removesuffix(")"), message)
    return _error(origin, message, where=where)


def profile_for(config: Config, profile: Profile, path: str) -> Profile:
    """The effective profile for one input path: the base selection, then matching per-path entries."""
    select, ignore, severity = list(config["select"]), list(config["ignore"]), dict(config["severity"])
    for entry in config.per_path:
        if _path_matches(path, entry.paths, config.root):
            select = list(entry.select) or select
            ignore += entry.ignore
            severity.update(entry.severity)
    return filtered(profile, select, ignore, severity)


def _path_matches(path: str, patterns: tuple[str, ...], root: Path) -> bool:
    resolved = Path(path).resolve()
    candidates = {Path(path).as_posix()}
    if resolved.is_relative_to(root):
        candidates.add(resolved.relative_to(root).as_posix())
    return any(fnmatch.fnmatch(c, p) or fnmatch.fnmatch(c, p.removeprefix("./")) for c in candidates for p in patterns)


def describe(config: Config, profile: Profile | None = None) -> str:
    """The effective configuration as TOML-like lines, each with where its value came from."""
    def toml(value: Any) -> str:
        if isinstance(value, dict):
            return "{ " + ", ".join(f'"{k}" = {toml(v)}' for k, v in value.items()) + " }" if value else "{}"
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(toml(v) for v in value) + "]"
        return "none" if value is None else f'"{value}"'

    out = [f"# configuration file: {config.file or 'none found'}"]
    width = max(len(k) for k in config.values)
    out += [f"{k:<{width}} = {toml(v):<28} # {config.origins[k]}" for k, v in config.values.items()]
    for entry in config.per_path:
        out += ["", f"[[per-path]]  # {entry.origin}", f"paths = {toml(entry.paths)}"]
        out += [f"{k} = {toml(getattr(entry, k))}" for k in ("select", "ignore", "severity") if getattr(entry, k)]
    if profile is not None:
        chosen = filtered(profile, config["select"], config["ignore"], config["severity"])
        left_out = [c.code for c in profile.criteria if c.code not in {k.code for k in chosen.criteria}]
        out += ["", f"# profile {profile.id}: {len(chosen.criteria)} of {len(profile.criteria)} criteria checked"
                    + (f" (left out: {', '.join(left_out)})" if left_out else "")]
        changed = [f"{c.code} {p.severity}->{c.severity}" for c, p in
                   ((c, profile.criterion(c.code)) for c in chosen.criteria) if p and p.severity != c.severity]
        if changed:
            out.append(f"# severity overrides: {', '.join(changed)}")
    return "\n".join(out) + "\n"

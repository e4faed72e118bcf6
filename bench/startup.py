"""Start-up: a one-file `check` of a protocol against check-jsonschema validating the same file.

    python bench/startup.py [--runs 10] [--baseline DIR] [PATH]

check-jsonschema is not a project dependency: `pip install check-jsonschema` into the venv first.
The commands run alternately, so all see the same machine load; prints median and best wall time,
and the CPU time (user + system) of each run: on a machine loaded by other work the wall time mostly
measures the queue, the CPU time what the command itself costs.

The package's .pyc files are written first (`compileall`), as `pip install` does for an installed
tool and for check-jsonschema: with PYTHONDONTWRITEBYTECODE set (or a read-only checkout) an
editable install would otherwise recompile every module on every run, and that is not start-up.
The warm-up run also fills the user cache of derived rule data (`auditor/derived.py`), as any
earlier run of the same version does; `--cold` runs `check` with that cache switched off too.

`--baseline DIR` also times the `check` of another copy of the package (a folder holding
`auditor/` and `schemas/`, e.g. `git archive OLD auditor schemas | tar -x -C DIR`), run by the same
console script with DIR first on PYTHONPATH: before and after in the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(cmd: list[str], env: dict[str, str] | None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run."""
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   env=None if env is None else {**os.environ, **env})
    return time.perf_counter() - start, _cpu() - cpu


def _compile(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "auditor")], cwd=REPO,
                   stdout=subprocess.DEVNULL, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--baseline", type=Path, default=None, help="another copy of the package to time alongside")
    parser.add_argument("--cold", action="store_true", help="also time check with the derived-data cache off")
    parser.add_argument("path", nargs="?", default="examples/protocols/complete.yaml")
    args = parser.parse_args()
    validator = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    check = [str(BIN / "trial-audit"), "check", args.path]
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {"trial-audit check": (check, None)}
    if args.cold:
        commands["trial-audit check (no cache)"] = (check, {"TRIAL_AUDIT_CACHE_DIR": "off"})
    if args.baseline:
        _compile(args.baseline)
        commands["trial-audit check (baseline)"] = (check, {"PYTHONPATH": str(args.baseline.resolve())})
    commands["trial-audit schema facts"] = ([str(BIN / "trial-audit"), "schema", "facts"], None)
    if validator:
        commands["check-jsonschema"] = ([validator, "--schemafile", "schemas/protocol.schema.json", args.path], None)
    else:
        print("check-jsonschema not found: pip install check-jsonschema to compare", file=sys.stderr)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    _compile(REPO)
    for cmd, env in commands.values():  # warm the file cache (and the cache of derived rule data)
        _once(cmd, env)
    for _ in range(args.runs):
        for name, (cmd, env) in commands.items():
            times[name].append(_once(cmd, env))
    print(f"{'':<30} {'wall median':>11} {'best':>6}   {'CPU median':>10} {'best':>6}   ({args.runs} runs each, ms)")
    for name, runs in times.items():
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name:<30} {statistics.median(wall) * 1000:11.0f} {min(wall) * 1000:6.0f}   "
              f"{statistics.median(cpu) * 1000:10.0f} {min(cpu) * 1000:6.0f}")


if __name__ == "__main__":
    main()

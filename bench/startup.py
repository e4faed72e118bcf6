"""Start-up: a one-file `check` of a protocol against check-jsonschema validating the same file.

    python bench/startup.py [--runs 10]

check-jsonschema is not a project dependency: `pip install check-jsonschema` into the venv first.
Both commands run alternately, so both see the same machine load; prints median and best wall time.

The package's .pyc files are written first (`compileall`), as `pip install` does for an installed
tool and for check-jsonschema: with PYTHONDONTWRITEBYTECODE set (or a read-only checkout) an
editable install would otherwise recompile every module on every run, and that is not start-up.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _once(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("path", nargs="?", default="examples/protocols/complete.yaml")
    args = parser.parse_args()
    validator = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    commands = {
        "trial-audit check": [str(BIN / "trial-audit"), "check", args.path],
        "trial-audit schema facts": [str(BIN / "trial-audit"), "schema", "facts"],
    }
    if validator:
        commands["check-jsonschema"] = [validator, "--schemafile", "schemas/protocol.schema.json", args.path]
    else:
        print("check-jsonschema not found: pip install check-jsonschema to compare", file=sys.stderr)
    times: dict[str, list[float]] = {name: [] for name in commands}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "auditor")], cwd=REPO,
                   stdout=subprocess.DEVNULL, check=False)
    for cmd in commands.values():  # warm the file cache and .pyc files
        _once(cmd)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(_once(cmd))
    for name, t in times.items():
        print(f"{name:<26} median {statistics.median(t) * 1000:5.0f} ms   best {min(t) * 1000:5.0f} ms   ({args.runs} runs)")


if __name__ == "__main__":
    main()

"""`trial-audit init` and the editor schema: the template validates, audits with a draft's gaps,
and filled in from its own examples meets the default profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.template import template, uncommented
from auditor.resources import load_schema
from auditor.sources import yamlpos
from tests.conftest import REPO, run_cli

# The gaps every fresh draft has at error level: nothing that needs a decision is pre-filled.
DRAFT_ERROR_GAPS = {"AE01", "FU01", "QL01", "SC02", "SS01"}


def validate_protocol(text: str) -> None:
    doc, _ = yamlpos.load(text)  # as the protocol reader loads it (dates stay text)
    errors = list(jsonschema.Draft202012Validator(load_schema("protocol")).iter_errors(doc))
    assert not errors, [e.message for e in errors]


def audit(path: Path) -> tuple[dict[str, str], int]:
    result = run_cli("check", "--isolated", "--format", "json", str(path))
    report = json.loads(result.stdout)
    return {f["code"]: f["status"] for f in report["audits"][0]["findings"]}, result.exit_code


def test_init_writes_a_valid_template_that_audits_with_the_expected_gaps(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    result = run_cli("init", str(path))
    assert result.exit_code == 0 and path.read_text() == template()
    validate_protocol(path.read_text())
    statuses, code = audit(path)
    assert code == 1
    assert "met" not in statuses.values()  # placeholders never satisfy a criterion
    assert {c for c, s in statuses.items() if s in ("not_met", "unclear")} >= DRAFT_ERROR_GAPS
    # "TODO: inclusion and exclusion criteria" is eligibility not yet written, not eligibility
    # that sets no pain-duration requirement.
    assert statuses["SC01"] == "unclear"


def test_the_template_filled_from_its_examples_meets_the_default_profile(tmp_path: Path) -> None:
    path = tmp_path / "filled.yaml"
    path.write_text(uncommented(template()))
    validate_protocol(path.read_text())
    statuses, code = audit(path)
    assert code == 0
    assert {c: s for c, s in statuses.items() if s not in ("met", "not_applicable")} == {}


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    path.write_text("trial: {title: mine}\n")
    result = run_cli("init", str(path))
    assert result.exit_code == 2 and "--force" in result.stderr and str(path) in result.stderr
    assert path.read_text() == "trial: {title: mine}\n"
    assert run_cli("init", "--force", str(path)).exit_code == 0
    assert path.read_text() == template()


def test_init_with_schema_writes_the_schema_editors_read(tmp_path: Path) -> None:
    path = tmp_path / "protocol.yaml"
    assert run_cli("init", "--with-schema", str(path)).exit_code == 0
    written = json.loads((tmp_path / "protocol.schema.json").read_text())
    assert written == json.loads(run_cli("schema", "protocol").stdout) == load_schema("protocol")
    assert template().splitlines()[0] == "# yaml-language-server: $schema=protocol.schema.json"
    assert run_cli("init", "--with-schema", str(path)).exit_code == 2  # both exist now


def test_init_into_a_missing_folder_is_exit_2(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "nope" / "protocol.yaml"))
    assert result.exit_code == 2 and f"folder {tmp_path / 'nope'} does not exist: create it first" in result.stderr


def _fields(node: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key, sub in node.get("properties", {}).items():
        out.append((f"{path}.{key}".lstrip("."), sub))
        out += _fields(sub, f"{path}.{key}")
        if isinstance(sub.get("items"), dict):
            out += _fields(sub["items"], f"{path}.{key}[]")
    return out


@pytest.mark.parametrize("name, field", _fields(load_schema("protocol")), ids=lambda x: x if isinstance(x, str) else "")
def test_every_protocol_field_has_a_description_and_valid_examples(name: str, field: dict[str, Any]) -> None:
    assert field.get("description"), name
    assert field.get("examples"), name
    for example in field["examples"]:
        jsonschema.Draft202012Validator(field).validate(example)


def test_editor_docs_show_the_modeline() -> None:
    text = (REPO / "docs" / "editor.md").read_text()
    assert "# yaml-language-server: $schema=" in text and "trial-audit schema protocol" in text


def test_the_editor_docs_script_validates_a_protocol_with_unquoted_dates(tmp_path: Path) -> None:
    """docs/editor.md's jsonschema snippet, run as written beside the bundled complete example
    (unquoted dates, which plain yaml.safe_load turns into date objects the schema refuses)."""
    import contextlib
    import io
    import re
    import shutil

    text = (REPO / "docs" / "editor.md").read_text(encoding="utf-8")
    (snippet,) = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "iter_errors" in block]
    (tmp_path / "protocol.schema.json").write_text(json.dumps(load_schema("protocol")), encoding="utf-8")
    shutil.copy(REPO / "examples" / "protocols" / "complete.yaml", tmp_path / "protocol.yaml")
    assert re.search(r"^  date: \d{4}-\d\d-\d\d$", (tmp_path / "protocol.yaml").read_text(), re.M)
    out = io.StringIO()
    with contextlib.chdir(tmp_path), contextlib.redirect_stdout(out):
        exec(compile(snippet, "docs/editor.md", "exec"), {})
    assert out.getvalue() == ""
    (tmp_path / "protocol.yaml").write_text("trial:\n  title: x\n  acronym: NO\n", encoding="utf-8")
    with contextlib.chdir(tmp_path), contextlib.redirect_stdout(out):
        exec(compile(snippet, "docs/editor.md", "exec"), {})
    assert out.getvalue().startswith("trial/acronym False is not of type 'string'")


def test_init_of_a_json_path_writes_json_that_points_at_the_schema(tmp_path: Path) -> None:
    """A trialist who keeps the protocol as JSON (docs/editor.md: a `$schema` key) gets JSON, not the
    YAML template under a .json name, which a JSON editor flags on every comment line."""
    path = tmp_path / "protocol.json"
    result = run_cli("init", str(path), "--with-schema")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["$schema"] == "./protocol.schema.json"
    yaml_doc, _ = yamlpos.load(template())
    assert {k: v for k, v in doc.items() if k != "$schema"} == yaml_doc
    validate_protocol(path.read_text(encoding="utf-8"))
    assert "JSON has no comments" in result.stdout
    statuses, code = audit(path)
    assert code == 1 and {c for c, s in statuses.items() if s != "met"} >= DRAFT_ERROR_GAPS


def test_init_dash_prints_the_template_instead_of_writing_a_file_named_dash(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # `-` is stdin for `check`, so for `init` it is stdout: `trial-audit init - > protocol.yaml` (session 9:
    # it wrote a file named "-").
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "-")
    assert result.exit_code == 0 and result.stdout == template() and not (tmp_path / "-").exists()
    refused = run_cli("init", "-", "--with-schema")
    assert refused.exit_code == 2 and not (tmp_path / "-").exists()
    assert refused.stderr.strip() == ("trial-audit: -: --with-schema needs a file to write the schema beside; "
                                      "give a path such as protocol.yaml")

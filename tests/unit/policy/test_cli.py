"""``edgeplane policy eval`` through typer's CliRunner (lives here: it is the policy language's CLI)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from edgeplane.cli import policy

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(policy.app, ["eval", *args])
    return result.exit_code, result.output


def test_true_exits_0() -> None:
    code, out = _run("--constraints", '["gpu == true", "memory >= 4096"]',
                     "--properties", '{"gpu": true, "memory": 8192}')
    assert (code, out.strip()) == (0, "true")


def test_false_exits_1_and_explains() -> None:
    props = json.dumps([{"name": "site", "value": "b"}, {"name": "memory", "value": "8GB"}])
    code, out = _run("--constraints", '["site == a", "memory > 4", "gpu == true"]', "--properties", props,
                     "--explain")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "false"
    assert "FAILED site == a: site is 'b' (untyped string)" in out
    assert "type mismatch" in out and "property 'gpu' is missing" in out


def test_syntax_error_exits_2_with_position() -> None:
    code, out = _run("--constraints", '["site == a AND"]', "--properties", "{}")
    assert code == 2
    assert "position 13" in out and "constraints[0]" in out


def test_bad_json_and_bad_property_type_exit_2() -> None:
    assert _run("--constraints", "[", "--properties", "{}")[0] == 2
    assert _run("--constraints", '["a == 1"]', "--properties", '[{"name": "a", "value": "x", "type": "int"}]')[0] == 2
    assert _run("--constraints", '["a == 1"]', "--properties", "5")[0] == 2


def test_plain_string_constraint_is_accepted() -> None:
    assert _run("--constraints", "a == 1 || b == 2", "--properties", '{"b": 2}') == (0, "true\n")

"""The standalone model repository layout and `edgeplane serve` argument handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.serving import serving_models
from typer.testing import CliRunner

from edgeplane._kit import errors
from edgeplane.cli import serve
from edgeplane.serving import repository


def test_latest_version_takes_all_traffic_by_default(tmp_path: Path) -> None:
    serving_models.repo(tmp_path, {"2": 2, "10": 10, "1": 1})
    serving_models.iris_sklearn(tmp_path / "iris" / "3" / "model.joblib")
    cfg = repository.scan(tmp_path)
    by_name = {e.name: e for e in cfg.endpoints}
    assert by_name["mlp"].weights() == {"10": 100}
    assert sorted(by_name["mlp"].versions) == ["1", "10", "2"]


def test_endpoint_file_sets_traffic_shadow_and_keys(tmp_path: Path) -> None:
    serving_models.repo(
        tmp_path,
        {"1": 1, "2": 2},
        endpoint={
            "traffic": {"1": 90, "2": 10},
            "shadow": {"version": "2", "percent": 5},
            "sticky_header": "x-user",
            "api_keys": ["secret"],
            "frameworks": {"1": "onnx"},
        },
    )
    (ep,) = repository.scan(tmp_path).endpoints
    assert ep.weights() == {"1": 90, "2": 10} and ep.shadow is not None and ep.shadow.percent == 5
    assert ep.sticky_header == "x-user" and ep.versions["1"].framework == "onnx"
    assert "secret" not in repr(ep)


def test_bad_layouts_are_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidInput):
        repository.scan(tmp_path / "missing")
    serving_models.repo(tmp_path, {"1": 1}, endpoint={"traffic": {"7": 1}})
    with pytest.raises(errors.InvalidInput, match="traffic"):
        repository.scan(tmp_path)


def test_version_order_is_numeric_aware() -> None:
    assert sorted(["10", "9", "1.10", "1.2"], key=repository.version_key) == ["1.2", "1.10", "9", "10"]


def test_serve_command_rejects_a_missing_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve.app, ["--model-repo", str(tmp_path / "nope"), "--port", "0"])
    assert result.exit_code != 0

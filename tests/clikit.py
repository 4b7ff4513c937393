"""The command line as the CLI tests drive it: one road-graph cache, ``run`` a command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.config import get_config

runner = CliRunner()


def use_shared_roads_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point the CLI at the road-graph cache all CLI tests share (the first test builds it)."""
    folder = tmp_path_factory.getbasetemp() / "cli-roads-cache"
    monkeypatch.setenv("DAGRUTE_CACHE_DIR", str(folder))
    get_config.cache_clear()


def run(*args: object) -> tuple[int, str]:
    """``dagrute ARGS``: its exit code and output."""
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output

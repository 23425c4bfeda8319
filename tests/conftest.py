"""Shared helpers: write a spec to a temp file, run the CLI, run a spec in-process."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from idrun.cli import main
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _restore_limits():
    """`idrun --max-nodes 3 ...` run in-process sets idrun.limits for the process: undo it."""
    from idrun import limits
    saved = {k: v for k, v in vars(limits).items() if k.isupper()}
    yield
    for k, v in saved.items():
        setattr(limits, k, v)


@pytest.fixture
def spec_file(tmp_path):
    def write(text: str, name: str = "g.yaml") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return str(path)
    return write


class CliResult:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    def invoke(*args: str, env=None) -> CliResult:
        runner = CliRunner()
        return CliResult(runner.invoke(main, list(args), env=env or {}, catch_exceptions=False))
    return invoke


def run_spec(path: str, variables: str | None = None, **options):
    """Run a spec in-process; returns the RunResult."""
    return Pipeline(path, RunOptions(**options), variables).run()


def plan_source(path: str, variables: str | None = None) -> str:
    """Build a spec in-process and return the source of its compiled step plan."""
    pipeline = Pipeline(path, RunOptions(), variables)
    pipeline.session.initialize()
    return pipeline.session.plan(pipeline.request).source


def values(result, name: str) -> list:
    return [s.values[name].tolist() for s in result.steps]


def opaque_entry(spec_text: str, name: str) -> str:
    """An imported spec's line for node `name`, which `idrun import` kept as an opaque node
    (the reason it cannot run is the line's `why`)."""
    line = next(line for line in spec_text.splitlines() if line.lstrip().startswith(f"- {{name: {name},"))
    assert "op: tf_opaque" in line, line
    return line

"""Mutated gallery specs: never a traceback, exit 0/1/2, and every spec error located.

`make fuzz` runs many more (FUZZ_CASES=5000); CI runs the default few hundred. The
mutations are seeded, so a failure names its case and reproduces.
"""

import os
import random
import re

import pytest
from click.testing import CliRunner

from conftest import ROOT

from idrun.cli import main

GRAPHS = sorted((ROOT / "graphs").glob("*.yaml"))
CASES = int(os.environ.get("FUZZ_CASES", "300"))
LOCATED = re.compile(r"^(.+):(\d+):(\d+): (error|warning)")
TOKENS = ["-1", "0", "2147483648", "1e308", "-.inf", ".nan", "null", "true", "[]", "{}", "''",
          "[[1, 2], [3]]", "{a: 1}", "x" * 300, "\x1b[31m", "[/red]", "'\\t'", "&a", "*a", "!!python/object:os.system",
          "[" * 80 + "1" + "]" * 80, "\"\\xff\"", "cpu:7", "/job:ps/task:9/gpu:3", "a:b:c", "$x", "${x}"]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        kind = rng.randrange(6)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3:   # replace a value: a number, a name or a list
            words = re.findall(r"[\w./:-]+|\[[^\[\]]*\]", lines[i])
            if words:
                lines[i] = lines[i].replace(rng.choice(words), rng.choice(TOKENS), 1)
        elif kind == 4:
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut]
        else:
            lines[i] = " " * rng.randrange(6) + lines[i].lstrip()
        if not lines:
            lines = ["nodes: []"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", range(CASES))
def test_mutated_spec_fails_cleanly(tmp_path, case):
    rng = random.Random(case)
    source = rng.choice(GRAPHS)
    path = tmp_path / source.name
    path.write_text(_mutate(source.read_text(), rng))
    (tmp_path / "data").symlink_to(ROOT / "graphs" / "data")
    command = rng.choice([["run", "--steps", "2"], ["run", "--steps", "2", "--format", "json"],
                          ["show"], ["show", "--format", "dot"], ["export"]])
    args = ["--max-tensor-elements", "100000", command[0], str(path), *command[1:]]
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    err = result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"case {case} ({source.name}, {command}): {result.exception!r}")
    assert "Traceback" not in err and "internal error" not in err, f"case {case}: {err}"
    assert result.exit_code in (0, 1, 2), f"case {case}: exit {result.exit_code}"
    if result.exit_code == 2:
        first = next((l for l in err.splitlines() if "error:" in l), "")
        assert LOCATED.match(first), f"case {case} ({source.name}, {command}): unlocated: {first!r}"

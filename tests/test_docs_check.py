"""docs/check.md's examples are real: each `idrun check NAME` block is what check prints for the
yaml block above it, byte for byte, with the exit code its comment gives."""

import re

import pytest

from conftest import ROOT

EXAMPLE = re.compile(r"\(`([\w.\-]+\.yaml)`\):\n\n```yaml\n(.*?)```\n\n```console\n\$ idrun check \1 +# exit (\d)\n"
                     r"(.*?)(?:^\$ |```)", re.S | re.M)
EXAMPLES = EXAMPLE.findall((ROOT / "docs/check.md").read_text())


def test_the_page_has_its_examples():
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("name,spec,code,shown", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_a_check_example_prints_what_the_page_shows(cli, tmp_path, monkeypatch, name, spec, code, shown):
    (tmp_path / name).write_text(spec)
    monkeypatch.chdir(tmp_path)
    res = cli("check", name)
    assert res.exit_code == int(code)
    assert res.stdout + res.stderr == shown

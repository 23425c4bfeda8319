"""`idrun export --format tf-python` and the random graphs the conformance suite uses.

TensorFlow itself runs only in `make conformance` (its own venv); here we check
the program's shape and that the random graphs are race-free.
"""

import sys

import pytest

from conftest import ROOT, run_spec, values

sys.path.insert(0, str(ROOT / "scripts"))
from randgraph import random_spec  # noqa: E402


def export(cli, *args):
    res = cli("export", *args)
    return res, res.stdout


def test_seed_exports_blocks_as_with_statements(cli):
    res, src = export(cli, str(ROOT / "graphs/control_deps_identity.yaml"))
    assert res.exit_code == 0
    compile(src, "exported.py", "exec")
    assert "    with g.control_dependencies([OP(OUT(T['x_plus_1'], 0))]):\n" \
           "        T['y'] = tf.identity(OUT(T['x'], 0), name='y')" in src
    assert "RESOURCE = True" in src and "device_count={\"CPU\": 1}" in src


def test_alias_is_python_aliasing_and_ref_mode_is_kept(cli):
    res, src = export(cli, str(ROOT / "graphs/control_deps_alias.yaml"), "--variables", "ref")
    assert "T['y'] = OUT(T['x'], 0)" in src
    assert "RESOURCE = False" in src


def test_devices_become_local_cpus(cli):
    _, src = export(cli, str(ROOT / "graphs/distributed_embeddings.yaml"))
    assert "with g.device(DEV('/job:ps/task:0/cpu:0')):" in src
    assert "'/job:ps/task:0/cpu:0': '/device:CPU:1'" in src      # the program's DEVICES table
    assert "device_count={\"CPU\": 4}" in src
    _, kept = export(cli, str(ROOT / "graphs/distributed_embeddings.yaml"), "--keep-devices")
    assert "'/job:ps/task:0/cpu:0': '/job:ps/task:0/device:CPU:0'" in kept


def test_unexportable_op_and_forward_reference_are_errors(cli, spec_file):
    res, _ = export(cli, str(ROOT / "graphs/shuffle_batch_named.yaml"))
    assert res.exit_code == 2 and "shuffle_batch has no TF equivalent" in res.stderr
    path = spec_file("nodes:\n  - {name: y, op: identity, inputs: [k]}\n  - {name: k, op: const, value: 1.0}\n")
    res, _ = export(cli, path)
    assert res.exit_code == 2 and "not defined yet" in res.stderr


@pytest.mark.parametrize("seed", range(1, 31))
def test_random_graphs_are_race_free(spec_file, seed):
    """Any legal schedule gives the values of the default one (and, under `init: false`,
    the same failure)."""
    text = random_spec(seed)
    path = spec_file(text)
    base = run_spec(path)
    assert (base.error is None) or "init: false" in text
    for schedule_seed in range(3):
        other = run_spec(path, schedule="random", seed=schedule_seed)
        assert str(other.error) == str(base.error) and len(other.steps) == len(base.steps)
        for name in base.fetch:
            assert values(other, name) == values(base, name)
        assert [len(s.transfers) for s in other.steps] == [len(s.transfers) for s in base.steps]

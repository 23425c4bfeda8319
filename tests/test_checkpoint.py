"""TF V2 checkpoints: the SSTable, the tensor bundle, `idrun run --save/--restore`.

The fixture tests/fixtures/checkpoints/tf_saved/ was written by TF 2.21's
`tf.compat.v1.train.Saver` (scripts/make_checkpoint_fixtures.py); values.json holds what
TF's `sess.run` read for each variable. The tests marked `tf` run TF itself (its venv:
IDRUN_TF_PYTHON or .venv-tf) to restore what idrun saved and to save afresh.
"""

import json
import os
import subprocess
from pathlib import Path

import numpy
import pytest

from conftest import ROOT
from idrun import tfrecord
from idrun.tf import checkpoint, sstable
from idrun.tf.checkpoint import CheckpointError

FIXTURE = ROOT / "tests/fixtures/checkpoints"
TF_SAVED = FIXTURE / "tf_saved"
TF_VALUES = json.loads((TF_SAVED / "values.json").read_text())
TF_PYTHON = Path(os.environ.get("IDRUN_TF_PYTHON", ROOT / ".venv-tf/bin/python"))
needs_tf = pytest.mark.skipif(not TF_PYTHON.exists(), reason="TensorFlow's venv (.venv-tf or IDRUN_TF_PYTHON) is absent")

SPEC = """\
name: checkpointed
nodes:
  - name_scope: conv1
    nodes:
      - {name: weights, op: variable, value: [[1.0, 2.0], [3.0, 4.0]]}
  - {name: b, op: variable, value: [0.5, -0.5]}
  - {name: step_count, op: variable, value: 0, dtype: int64}
  - {name: upd, op: assign_add, inputs: [conv1/weights, [[0.1, 0.2], [0.3, 0.4]]]}
  - {name: tick, op: assign_add, inputs: [step_count, one]}
  - {name: one, op: const, value: 1, dtype: int64}
run:
  fetch: [conv1/weights, b, step_count]
  targets: [upd, tick]
  steps: 3
"""


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


# --- CRC32C and the table ----------------------------------------------------------------

def _same(fetched, want) -> bool:
    """A fetched JSON value is TF's: the same bytes once typed (idrun prints float32's
    shortest repr, which reads back to the same float32)."""
    if list(numpy.shape(fetched)) != want["shape"]:
        return False
    if want["dtype"] == "string":
        return numpy.ravel(fetched).tolist() == want["values"]
    return numpy.array(fetched, dtype=want["dtype"]).tobytes().hex() == want["hex"]


def test_crc32c_matches_the_standard_check_value_and_masking_round_trips():
    assert tfrecord.crc32c(b"123456789") == 0xE3069283   # the CRC-32C check value (RFC 3720)
    assert tfrecord.crc32c(b"") == 0
    assert tfrecord.crc32c(b"56789", tfrecord.crc32c(b"1234")) == 0xE3069283
    for crc in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert tfrecord.unmask(tfrecord.mask(crc)) == crc
    assert tfrecord.mask(0) == 0xA282EAD8


def test_crc32c_of_megabytes_chunked_with_numpy_equals_the_byte_loop():
    data = numpy.random.default_rng(7).integers(0, 256, 300_001, dtype=numpy.uint8).tobytes()
    assert len(data) >= tfrecord._VECTOR_MIN
    assert tfrecord.crc32c(data, 0x1234) == tfrecord._register(data, 0x1234 ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
    assert tfrecord.crc32c(b"123456789" * 4000) == tfrecord._register(b"123456789" * 4000, 0xFFFFFFFF) ^ 0xFFFFFFFF


def test_table_with_many_blocks_and_restarts_reads_back():
    entries = [(f"key{i:04d}".encode(), bytes([i % 251]) * (i % 37)) for i in range(300)]
    data = sstable.write_table(entries, block_size=512)
    assert sstable.read_table(data) == entries
    assert data[-8:] == bytes.fromhex("57fb808b247547db")   # the magic number, little endian


def test_table_refuses_unsorted_keys_and_a_damaged_block():
    with pytest.raises(ValueError, match="keys must increase"):
        sstable.write_table([(b"b", b""), (b"a", b"")])
    data = bytearray(sstable.write_table([(b"a", b"1"), (b"b", b"2")]))
    data[1] ^= 0xFF
    with pytest.raises(sstable.TableError, match="checksum mismatch"):
        sstable.read_table(bytes(data))
    with pytest.raises(sstable.TableError, match="magic"):
        sstable.read_table(b"x" * 60)


# --- the bundle against TF's files ------------------------------------------------------

def test_reads_tf_saved_checkpoint_bit_for_bit():
    bundle = checkpoint.Bundle(checkpoint.resolve_prefix(str(TF_SAVED)))
    assert sorted(bundle.entries) == sorted(TF_VALUES)
    for name, want in TF_VALUES.items():
        entry, value = bundle.entries[name], bundle.tensor(name)
        assert (entry.dtype, list(entry.shape)) == (want["dtype"], want["shape"])
        if want["dtype"] == "string":
            assert [v.decode() for v in value.ravel()] == want["values"]
        else:
            assert value.tobytes().hex() == want["hex"], name


def test_writes_the_same_index_and_data_bytes_as_tf_saver():
    prefix = checkpoint.resolve_prefix(str(TF_SAVED))
    bundle = checkpoint.Bundle(prefix)
    tensors = {k: (e.dtype, bundle.tensor(k)) for k, e in bundle.entries.items()}
    index, data = checkpoint.bundle_files(tensors)
    assert index == Path(prefix + ".index").read_bytes()
    assert data == Path(prefix + ".data-00000-of-00001").read_bytes()


def test_checkpoint_state_file_matches_tf_text():
    assert checkpoint.state_text("model.ckpt-3", ["model.ckpt-3"]) == (TF_SAVED / "checkpoint").read_text()


def test_damaged_data_is_an_error_naming_the_tensor(tmp_path):
    prefix = str(tmp_path / "model.ckpt-1")
    checkpoint.write_bundle(prefix, {"w": ("float32", numpy.arange(4, dtype=numpy.float32))})
    data = bytearray(Path(prefix + checkpoint.DATA_SUFFIX).read_bytes())
    data[5] ^= 1
    Path(prefix + checkpoint.DATA_SUFFIX).write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="bytes of 'w' are damaged"):
        checkpoint.Bundle(prefix).tensor("w")


# --- idrun run --save / --restore ---------------------------------------------------------

def test_restore_tf_saved_checkpoint_fetches_tf_values(cli):
    res = cli("run", str(FIXTURE / "tf_saved.yaml"), "--restore", str(TF_SAVED), "--format", "json")
    assert res.exit_code == 0, res.stderr
    values = res.json()["steps"][0]["values"]
    for name, want in TF_VALUES.items():
        assert _same(values[name], want), name


def test_save_writes_a_checkpoint_that_restores_and_counts_steps_on(cli, spec, tmp_path):
    out = tmp_path / "ckpt"
    res = cli("run", str(spec), "--save", str(out), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert sorted(os.listdir(out)) == ["checkpoint", "model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index"]
    mask = os.umask(0o022)
    os.umask(mask)
    assert {(out / n).stat().st_mode & 0o777 for n in os.listdir(out)} == {0o666 & ~mask}   # as TF's Saver
    assert (out / "checkpoint").read_text() == ('model_checkpoint_path: "model.ckpt-3"\n'
                                               'all_model_checkpoint_paths: "model.ckpt-3"\n')
    bundle = checkpoint.Bundle(str(out / "model.ckpt-3"))
    # after 3 steps: w + 3 * [[.1, .2], [.3, .4]] in float32, step_count 3
    w = numpy.float32([[1, 2], [3, 4]])
    for _ in range(3):
        w = w + numpy.float32([[0.1, 0.2], [0.3, 0.4]])
    assert bundle.tensor("conv1/weights").tobytes() == w.tobytes()
    assert bundle.tensor("step_count").tolist() == 3 and bundle.entries["step_count"].dtype == "int64"
    res = cli("run", str(spec), "--restore", str(out), "--save", str(out), "--steps", "1", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["steps"][0]["values"]["step_count"] == 3      # fetched before tick runs
    assert numpy.float32(res.json()["steps"][0]["values"]["conv1/weights"]).tobytes() == w.tobytes()
    assert checkpoint.read_state(str(out))[0] == str(out / "model.ckpt-4")


def test_save_every_keeps_the_last_k(cli, spec, tmp_path):
    out = tmp_path / "ckpt"
    res = cli("run", str(spec), "--steps", "7", "--save", str(out), "--save-every", "2", "--keep", "2")
    assert res.exit_code == 0, res.stderr
    assert sorted(p for p in os.listdir(out) if p.endswith(".index")) == ["model.ckpt-6.index", "model.ckpt-7.index"]
    assert (out / "checkpoint").read_text().splitlines() == [
        'model_checkpoint_path: "model.ckpt-7"', 'all_model_checkpoint_paths: "model.ckpt-6"',
        'all_model_checkpoint_paths: "model.ckpt-7"']
    assert checkpoint.Bundle(str(out / "model.ckpt-6")).tensor("step_count").tolist() == 6


def test_restore_of_a_checkpoint_without_the_variable_names_it_at_its_entry(cli, spec, tmp_path):
    prefix = str(tmp_path / "model.ckpt-1")
    checkpoint.write_bundle(prefix, {"b": ("float32", numpy.float32([1, 2]))})
    res = cli("run", str(spec), "--restore", prefix)
    assert res.exit_code == 2
    assert f"{spec}:5:9: error: variable 'conv1/weights' is not in the checkpoint {prefix} (it holds 'b')" \
        in res.stderr


def test_restore_with_a_wrong_shape_or_dtype_names_the_variable(cli, spec, tmp_path):
    good = {"conv1/weights": ("float32", numpy.zeros((2, 2), numpy.float32)),
            "step_count": ("int64", numpy.int64(0))}
    prefix = str(tmp_path / "shape")
    checkpoint.write_bundle(prefix, dict(good, b=("float32", numpy.zeros(3, numpy.float32))))
    res = cli("run", str(spec), "--restore", prefix)
    assert res.exit_code == 2
    assert f"{spec}:6:5: error: variable 'b' has shape [2], the checkpoint {prefix} holds shape [3]" in res.stderr
    prefix = str(tmp_path / "dtype")
    checkpoint.write_bundle(prefix, dict(good, b=("float64", numpy.zeros(2))))
    res = cli("run", str(spec), "--restore", prefix)
    assert res.exit_code == 2
    assert f"variable 'b' is float32, the checkpoint {prefix} holds float64 (shape [2])" in res.stderr


def test_restore_of_nothing_is_a_usage_error(cli, spec, tmp_path):
    res = cli("run", str(spec), "--restore", str(tmp_path))
    assert res.exit_code == 2 and "no 'checkpoint' file in this directory" in res.stderr
    res = cli("run", str(spec), "--save-every", "2")
    assert res.exit_code == 2 and "--save-every needs --save DIR" in res.stderr


def test_a_save_that_fails_midway_leaves_the_previous_checkpoint_whole(cli, spec, tmp_path, monkeypatch):
    out = tmp_path / "ckpt"
    assert cli("run", str(spec), "--save", str(out)).exit_code == 0
    before = {p: (out / p).read_bytes() for p in os.listdir(out)}
    real_replace = os.replace
    calls = []

    def dying_replace(src, dst):   # the data file lands, then the process "dies" before the index
        calls.append(dst)
        if str(dst).endswith(".index"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dying_replace)
    res = cli("run", str(spec), "--restore", str(out), "--save", str(out), "--steps", "2")
    monkeypatch.setattr(os, "replace", real_replace)
    assert res.exit_code == 2 and f"--save {out}: No space left on device" in res.stderr
    assert any(str(c).endswith(".data-00000-of-00001") for c in calls)
    for name, data in before.items():   # every old file as it was, `checkpoint` still names it
        assert (out / name).read_bytes() == data
    assert not [p for p in os.listdir(out) if "tempstate" in p]   # no temporary left behind
    assert checkpoint.resolve_prefix(str(out)) == str(out / "model.ckpt-3")
    res = cli("run", str(spec), "--restore", str(out), "--steps", "1", "--format", "json")
    assert res.exit_code == 0 and res.json()["steps"][0]["values"]["step_count"] == 3


# --- both ways with TF itself -------------------------------------------------------------

def _tf(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([str(TF_PYTHON), *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@needs_tf
def test_tf_saver_restores_what_idrun_saved_bit_for_bit(cli, spec, tmp_path):
    out = tmp_path / "ckpt"
    res = cli("run", str(spec), "--save", str(out), "--format", "json")
    assert res.exit_code == 0, res.stderr
    bundle = checkpoint.Bundle(str(out / "model.ckpt-3"))
    wanted = {k: {"dtype": e.dtype, "shape": list(e.shape)} for k, e in bundle.entries.items()}
    (tmp_path / "vars.json").write_text(json.dumps(wanted))
    got = json.loads(_tf(ROOT / "scripts/tf_restore_checkpoint.py", out / "model.ckpt-3", tmp_path / "vars.json"))
    assert got["list_variables"] == {"b": [2], "conv1/weights": [2, 2], "step_count": []}
    for name in wanted:
        assert got["variables"][name]["hex"] == bundle.tensor(name).tobytes().hex(), name
    assert got["variables"]["step_count"]["values"] == 3


@needs_tf
def test_tf_saves_afresh_and_idrun_restores_it_and_writes_its_bytes(cli, tmp_path):
    out = tmp_path / "tf"
    _tf(ROOT / "scripts/make_checkpoint_fixtures.py", out)
    values = json.loads((out / "values.json").read_text())
    # TF writes deterministically: the same bytes as the stored fixture, which idrun rewrites
    for name in ("model.ckpt-3.index", "model.ckpt-3.data-00000-of-00001", "checkpoint"):
        assert (out / name).read_bytes() == (TF_SAVED / name).read_bytes(), name
    res = cli("run", str(FIXTURE / "tf_saved.yaml"), "--restore", str(out), "--format", "json")
    assert res.exit_code == 0, res.stderr
    fetched = res.json()["steps"][0]["values"]
    assert sorted(fetched) == sorted(values)
    for name, want in values.items():
        assert _same(fetched[name], want), name


# --- the save_v2 and restore_v2 kernels (TF's SaveV2 and RestoreV2) ---------------------------

def _kernel(op: str, attrs: dict, in_types: tuple):
    from idrun.ops import REGISTRY
    from idrun.ops.opdef import KernelEnv
    return REGISTRY[op].kernel(KernelEnv(numpy, attrs, in_types, (), (), op, "resource"))


def _strings(*items: str):
    return numpy.array([s.encode() for s in items], dtype=object)


def test_save_v2_kernel_writes_the_bytes_tf_saver_wrote(tmp_path):
    from idrun.graph import TensorType
    from idrun.ops.state import VariableCell
    bundle = checkpoint.Bundle(checkpoint.resolve_prefix(str(TF_SAVED)))
    names = list(TF_VALUES)   # not sorted: the bundle sorts its keys as TF's does
    tensors = [bundle.tensor(n) for n in names]
    cell = VariableCell(names[0])   # a variable itself is saved by its value (ref mode's input)
    cell.value = tensors[0]
    strings = TensorType("string", (len(names),))
    save = _kernel("save_v2", {}, (TensorType("string", ()), strings, strings)
                   + tuple(TensorType(bundle.entries[n].dtype, bundle.entries[n].shape) for n in names))
    prefix = str(tmp_path / "model.ckpt-3")
    assert save(numpy.array(prefix.encode(), dtype=object), _strings(*names), _strings(*[""] * len(names)),
                cell, *tensors[1:]) is None
    for suffix in (".index", ".data-00000-of-00001"):
        assert Path(prefix + suffix).read_bytes() == (TF_SAVED / ("model.ckpt-3" + suffix)).read_bytes()
    with pytest.raises(Exception, match="idrun saves and restores whole tensors only"):
        save(prefix.encode(), _strings(*names), _strings("0 2", *[""] * (len(names) - 1)), *tensors)


def test_restore_v2_kernel_reads_tf_saver_checkpoint_and_names_what_is_wrong():
    from idrun.ops.opdef import KernelError
    prefix = str(TF_SAVED / "model.ckpt-3").encode()
    restore = _kernel("restore_v2", {"dtypes": ["float32", "int64", "string"]}, ())
    w, big, names = restore(prefix, _strings("conv1/weights", "big", "names"), _strings("", "", ""))
    assert w.tobytes().hex() == TF_VALUES["conv1/weights"]["hex"] and w.shape == (2, 3)
    assert big.tobytes().hex() == TF_VALUES["big"]["hex"]
    assert names.tolist() == [b"ab", b"", b"xyz"]
    one = _kernel("restore_v2", {"dtypes": ["float32"]}, ())
    with pytest.raises(KernelError, match="^Key nope not found in checkpoint$"):
        one(prefix, _strings("nope"), _strings(""))
    with pytest.raises(KernelError, match="tensor_name = d; expected dtype float32 does not equal original dtype float64"):
        one(prefix, _strings("d"), _strings(""))
    with pytest.raises(KernelError, match="Failed to find any matching files for nowhere/x"):
        one(b"nowhere/x", _strings("d"), _strings(""))


def test_save_v2_in_a_spec_writes_what_restore_v2_reads(cli, tmp_path):
    spec = tmp_path / "s.yaml"
    prefix = tmp_path / "ck"
    spec.write_text(f"""\
nodes:
  - {{name: w, op: variable, value: [1.5, -2.0]}}
  - {{name: names, op: const, value: [w], dtype: string}}
  - {{name: slices, op: const, value: [''], dtype: string}}
  - {{name: prefix, op: const, value: {json.dumps(str(prefix))}, dtype: string}}
  - {{name: save, op: save_v2, inputs: [prefix, names, slices, w]}}
  - control_dependencies: [save]
    nodes:
      - {{name: restored, op: restore_v2, dtypes: [float32], inputs: [prefix, names, slices]}}
run:
  fetch: ['restored:0']
""")
    res = cli("run", str(spec), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["steps"][0]["values"]["restored:0"] == [1.5, -2.0]
    assert checkpoint.Bundle(str(prefix)).tensor("w").tolist() == [1.5, -2.0]
    bad = spec.read_text().replace("dtypes: [float32]", "dtypes: [float32, float32]")
    spec.write_text(bad)
    res = cli("run", str(spec))
    assert res.exit_code == 2 and "Dimension 0 in both shapes must be equal, but are 1 and 2" in res.stderr


KERNEL_TESTS = {
    "save_v2": test_save_v2_kernel_writes_the_bytes_tf_saver_wrote,
    "restore_v2": test_restore_v2_kernel_reads_tf_saver_checkpoint_and_names_what_is_wrong,
}


SAVE_LOOP = """
import sys, numpy
from idrun.tf import checkpoint
for step in range(1, 10_000):
    value = numpy.full(300_000, step, numpy.float32)
    checkpoint.save(sys.argv[1], step, {"w": ("float32", value), "step": ("int64", numpy.int64(step))}, keep=2)
    print(step, flush=True)
"""


def test_a_kill_at_any_moment_leaves_the_latest_named_checkpoint_whole(tmp_path):
    import signal
    import sys
    import time
    out = tmp_path / "ckpt"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for delay in (0.0, 0.013, 0.029, 0.047, 0.071, 0.1):   # at different moments of a save
        proc = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, str(out)], env=env, stdout=subprocess.PIPE)
        assert proc.stdout.readline()   # one save done: from here on a checkpoint must exist
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        prefix = checkpoint.resolve_prefix(str(out))   # the newest `checkpoint` names...
        bundle = checkpoint.Bundle(prefix)             # ...is whole: every checksum holds
        step = int(bundle.tensor("step"))
        assert prefix.endswith(f"-{step}")
        assert (bundle.tensor("w") == step).all()
        proc.stdout.close()

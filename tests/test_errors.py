"""Every spec error is FILE:LINE:COL: error: ..., exit 2, no traceback."""

import pytest

CASES = [
    # (spec text, expected line:col, expected message fragment)
    # the hardening issue's audit ([n]: ../shared/repro/repro.sh n): no exit 3, TF's build-time errors
    ("nodes:\n  - {name: a, op: const, value: 1.0}\n"   # [1]
     "  - {name: avg, op: exponential_moving_average, inputs: [a, 2.0], decay: 0.9}\n", "3:5",
     "input 1 is a literal (2.0)"),
    ("nodes:\n  - {name: c, op: const, value: 9223372036854775808}\n", "2:33",   # [2]
     "Can't convert Python int 9223372036854775808 to int64"),
    ("nodes:\n  - {name: c, op: const, value: 3000000000, dtype: int32}\n", "2:33",
     "Can't convert Python int 3000000000 to int32"),
    ("nodes:\n  - {name: i, op: const, value: [[0.0], [1.0], [2.0]]}\n  - {name: l, op: const, value: [0, 1]}\n"
     "  - {name: b, op: shuffle_batch, inputs: [i, l], batch_size: 1, capacity: 3, enqueue_many: true}\n",  # [11]
     "4:5", "Dimension 0 in both shapes must be equal, but are 3 and 2"),
    ("nodes:\n  - {name: a, op: const, value: !!int abc}\n", "2:33", "tag '!!int' on 'abc', which is not an int"),
    ("nodes:\n  - {name: a, op: const, value: !!null x}\n", "2:33", "tag '!!null' on 'x'"),   # [15]
    ("nodes:\n  - {name: a, op: idenity, inputs: [1.0]}\n", "2:19",
     "unknown op 'idenity' (did you mean 'identity' or 'identity_n'?)"),
    ("nodes:\n  - {name: a, op: identity, inputs: [nope]}\n", "2:38", "unknown reference 'nope'"),
    ("nodes:\n  - {name: a, op: const, value: [1.0, 2.0]}\n  - {name: b, op: identity, inputs: ['a:1']}\n",
     "3:5", "The operation, 'a', exists but only has 1 output."),
    ("nodes:\n  - {name: a, op: const, value: 1.0}\n  - {name: b, op: identity, inputs: ['a:-1']}\n",
     "3:38", "output index must be >= 0"),
    ("nodes:\n  - {name: a, op: const, value: 1.0}\n  - {name: a, op: const, value: 2.0, name: c}\n",
     "3:38", "duplicate key 'name'"),
    ("nodes:\n  - {name: a, op: identity, inputs: [b]}\n  - {name: b, op: identity, inputs: [a]}\n",
     "2:38", "dependency cycle: a -> b -> a (the input 'b' here closes it)"),
    ("nodes:\n  - {name: a, op: add, inputs: [1.0]}\n", "2:32", "op 'add' takes 2 inputs [x, y], got 1"),
    ("nodes:\n  - {name: a, op: const, value: 1.0, dtyp: float32}\n", "2:38",
     "unknown key 'dtyp' for op 'const' (did you mean 'dtype'?)"),
    ("nodes:\n  - {name: a, op: const, value: 1.0, dtype: float33}\n", "2:45", "unknown dtype 'float33'"),
    ("nodes:\n  - {name: a, op: const, value: [[1.0], [2.0, 3.0]]}\n", "2:33", "ragged nested list"),
    ("nodes:\n  - {name: a, op: placeholder, dtype: float32, shape: [-1]}\n", "2:55",
     "a dimension must be a non-negative integer or null"),
    ("nodes:\n  - {name: a, op: const\n", "2:24", "malformed YAML: did not find expected ',' or '}' here"),
    ("nodes:\n  - !!python/object/apply:os.system [ls]\n", "2:5", "is not allowed"),
    ("- just\n- a list\n", "1:1", "a spec must be a YAML mapping"),
    ("nodes:\n  - {name: a, op: const}\n", "2:5", "op 'const' needs attribute 'value'"),
    ("nodes:\n  - {name: a, op: const, value: [1.0, 2.0]}\n  - {name: b, op: const, value: [1.0, 2.0, 3.0]}\n"
     "  - {name: c, op: add, inputs: [a, b]}\n", "4:5", "Incompatible shapes: [2] vs. [3]"),
    ("nodes:\n  - {name: a, op: const, value: 1}\n  - {name: b, op: const, value: 1.0}\n"
     "  - {name: c, op: add, inputs: [a, b]}\n", "4:5", "has type float32 that does not match type int32"),
    ("nodes:\n  - {name: 'a b', op: const, value: 1.0}\n", "2:12", "'a b' is not a valid root scope name"),
    ("nodes:\n  - {name: x, op: const, value: 1.0}\n  - {name: x, alias: x}\n", "3:12",
     "alias 'x' has the same name as a node"),
    ("nodes:\n  - {name: a, op: assign, inputs: [1.0, 2.0]}\n", "2:36", "must name a variable"),
    ("nodes:\n  - {name: c, op: const, value: 1.0}\n  - {name: a, op: assign, inputs: [c, 2.0]}\n", "3:5",
     "must be a variable; 'c' is a const"),
    ("nodes:\n  - {name: a, op: const, value: 4}\n  - {name: b, op: assert_equal, inputs: [a, 3]}\n", "3:5",
     "static check failed"),
    ("nodes:\n  - {name: a, op: const, value: 1.0, device: tpu:0}\n", "2:46", "unknown device type 'tpu'"),
    ("nodes:\n  - {name: a, op: reshape, inputs: [[1.0, 2.0, 3.0], [2, 2]]}\n", "2:5",
     "Cannot reshape a tensor with 3 elements"),
    ("nodez: []\n", "1:1", "unknown key 'nodez' for a spec (did you mean 'nodes'?)"),
]


@pytest.mark.parametrize("text,where,fragment", CASES)
def test_spec_error_has_location_and_exit_2(cli, spec_file, text, where, fragment):
    path = spec_file(text)
    res = cli("run", path)
    assert res.exit_code == 2, res.stdout + res.stderr
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{where}: error: "), first
    assert fragment in first
    assert "Traceback" not in res.stderr


def test_error_shows_source_line_and_caret(cli, spec_file):
    path = spec_file("nodes:\n  - {name: a, op: idenity, inputs: [1.0]}\n")
    lines = cli("run", path).stderr.splitlines()
    assert lines[1] == "    - {name: a, op: idenity, inputs: [1.0]}"
    assert lines[2] == "  " + " " * 18 + "^"


def test_missing_file_is_exit_2(cli):
    res = cli("run", "/nonexistent/spec.yaml")
    assert res.exit_code == 2
    assert "no such file" in res.stderr


def test_billion_laughs_is_bounded(cli, spec_file):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    res = cli("run", spec_file("\n".join(lines) + "\nnodes: []\n"))
    assert res.exit_code == 2
    assert "an alias counts each time it is used" in res.stderr


def test_yaml_12_numbers(spec_file):
    from idrun.spec import load_spec
    g = load_spec(spec_file("nodes:\n  - {name: a, op: const, value: 1e-3}\n"
                            "  - {name: b, op: const, value: 017}\n")).graph
    assert g.nodes["a"].attrs["value"] == 0.001 and g.nodes["a"].outputs[0].dtype == "float32"
    assert g.nodes["b"].attrs["value"] == 17


def test_bad_fetch_name_uses_tf_wording(cli, spec_file):
    path = spec_file("nodes:\n  - {name: image, op: const, value: [1.0, 2.0]}\n")
    res = cli("run", path, "--fetch", "image:3")
    assert res.exit_code == 2
    assert "The operation, 'image', exists but only has 1 output." in res.stderr
    res = cli("run", path, "--fetch", "imag")
    assert "does not exist" in res.stderr and "did you mean 'image'" in res.stderr


def test_unknown_name_suggests_the_scoped_full_name(cli, spec_file):
    path = spec_file("nodes:\n  - name_scope: tower\n    nodes: [{name: z, op: const, value: 1.0}]\n")
    res = cli("run", path, "--fetch", "z")
    assert res.exit_code == 2 and "(did you mean 'tower/z'?)" in res.stderr


def test_a_newline_in_a_file_name_forges_no_diagnostic_line(cli, tmp_path):
    """[13]: the location shows the name's newline escaped: one line, the real error."""
    bad = tmp_path / "a\nfake.yaml:1:1: error: forged"
    bad.write_text("nodes:\n  - {name: c, op: const, value: [1.0}\n")
    res = cli("run", str(bad))
    assert res.exit_code == 2
    first = res.stderr.splitlines()[0]
    assert "a\\nfake.yaml:1:1: error: forged:2:" in first and "malformed YAML" in first


def test_a_complex_file_fed_to_float32_is_refused(cli, tmp_path):
    """[14]: TF refuses it; a cast would drop the imaginary part."""
    import numpy as np
    np.save(tmp_path / "c.npy", np.array([1 + 2j, 3], np.complex64))
    spec = tmp_path / "g.yaml"
    spec.write_text("nodes:\n  - {name: a, op: placeholder, dtype: float32, shape: [2]}\n"
                    "  - {name: b, op: mul, inputs: [a, 2.0]}\nrun: {fetch: [b]}\n")
    res = cli("run", str(spec), "--feed", f"a=@{tmp_path / 'c.npy'}")
    assert res.exit_code == 2 and "complex values (complex64), which float32 cannot hold" in res.stderr


# ---- issue 21, the new user's run: names and dtypes say what was meant, and where -----------

TOUR = ("nodes:\n  - {name: x, op: variable, value: 0.0}\n"
        "  - name_scope: tower\n    nodes:\n      - {name: z, op: mul, inputs: [x, 2.0]}\n")


@pytest.mark.parametrize("args,message", [
    (("--fetch", "towr"), "error: --fetch: The name 'towr' refers to a Tensor which does not exist. The "
                          "operation, 'towr', does not exist in the graph. (did you mean 'tower/z'?)"),
    (("--fetch", "Tower/Z:0"), "error: --fetch: The name 'Tower/Z:0' refers to a Tensor which does not exist. "
                               "The operation, 'Tower/Z', does not exist in the graph. (did you mean 'tower/z'?)"),
    (("--fetch", "tower/z:1"), "error: --fetch: The name 'tower/z:1' refers to a Tensor which does not exist. "
                               "The operation, 'tower/z', exists but only has 1 output. (did you mean 'tower/z:0'?)"),
    (("--fetch", "tower/z", "--feed", "X=1.0"), "error: --feed: The name 'X' refers to a Tensor which does not "
                                                "exist. The operation, 'X', does not exist in the graph. (did you mean 'x'?)"),
    (("--target", "tower/zz"), "error: --target: target 'tower/zz': the operation does not exist "
                               "(did you mean 'tower/z'?)"),
])
def test_an_unknown_command_line_name_names_its_option_and_a_close_name(cli, spec_file, args, message):
    """A builder-made name (the literal's `tower/z/y`) is not offered when a written one is close."""
    res = cli("run", spec_file(TOUR), *args)
    assert res.exit_code == 2 and res.stderr.splitlines() == [message]


@pytest.mark.parametrize("run,where,message", [
    ("run: {fetch: [towr]}\n", "6:15", "The name 'towr' refers to a Tensor which does not exist. The operation, "
                                       "'towr', does not exist in the graph. (did you mean 'tower/z'?)"),
    ("run: {fetch: [tower/z], feed: {X: 1.0}}\n", "6:32",
     "The name 'X' refers to a Tensor which does not exist. The operation, 'X', does not exist in the graph. "
     "(did you mean 'x'?)"),
    ("run: {targets: [tower/zz]}\n", "6:17", "target 'tower/zz': the operation does not exist "
                                             "(did you mean 'tower/z'?)"),
])
def test_an_unknown_name_in_the_run_section_is_located_at_its_entry(cli, spec_file, run, where, message):
    path = spec_file(TOUR + run)
    res = cli("run", path)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == f"{path}:{where}: error: {message}"


@pytest.mark.parametrize("entry,where,message", [
    ("{name: p, op: placeholder, dtype: flaot32, shape: [2]}", "2:39",
     "attribute 'dtype' of placeholder: unknown dtype 'flaot32'; did you mean 'float32'?"),
    ("{name: c, op: const, value: [1, 2], dtype: int23}", "2:48",
     "attribute 'dtype' of const: unknown dtype 'int23'; did you mean 'int32'?"),
    ("{name: q, op: cast, inputs: [1], dtype: doubel}", "2:45",
     "attribute 'dtype' of cast: unknown dtype 'doubel'; did you mean 'double'?"),
    ("{name: v, op: variable, value: 0.0, dtype: xyz}", "2:48",
     "attribute 'dtype' of variable: unknown dtype 'xyz' (one of float16,"),
])
def test_a_misspelt_dtype_suggests_the_close_one(cli, spec_file, entry, where, message):
    path = spec_file(f"nodes:\n  - {entry}\n")
    res = cli("run", path)
    assert res.exit_code == 2 and res.stderr.startswith(f"{path}:{where}: error: {message}"), res.stderr


# ---- YAML mistakes: the caret at the mistake, libyaml's context kept, tabs named ----------

@pytest.mark.parametrize("text,where,message", [
    # a `{` left open: libyaml stops at the next line's `{`; the `}` was missing after 1.0
    ("nodes:\n  - {name: a, op: const, value: 1.0\n  - {name: b, op: identity, inputs: [a]}\n", "2:36",
     "malformed YAML: did not find expected ',' or '}' here (the flow mapping started at 2:5; "
     "the next token is '{' at 3:5)"),
    # the same past a comment and a blank line, in a mapping written over two lines
    ("nodes:\n  - {name: a, op: const,\n     value: 1.0   # one\n\n  - {name: b}\n", "3:16",
     "malformed YAML: did not find expected ',' or '}' here (the flow mapping started at 2:5; "
     "the next token is '-' at 5:3)"),
    # a `[` left open, the next key read into it
    ("run:\n  fetch: [a\n  steps: 3\n", "2:12",
     "malformed YAML: did not find expected ',' or ']' here (the flow sequence started at 2:10; "
     "the next token is ':' at 3:8)"),
    # the wrong bracket: libyaml's mark is the mistake, the context is kept
    ("nodes:\n  - {name: a, op: const, value: [1.0, 2.0}\n", "2:42",
     "malformed YAML: did not find expected ',' or ']' (the flow sequence started at 2:33)"),
    # a quote never closed: at the quote, not at the end of the file
    ('nodes:\n  - {name: a, op: const, value: "abc}\n  - {name: b, op: identity, inputs: [a]}\n', "2:33",
     "malformed YAML: found unexpected end of stream (the quoted scalar started at 2:33 is not closed)"),
    # a key indented one space too far
    ("nodes:\n  - name: a\n    op: const\n     value: 1.0\n", "4:6",
     "malformed YAML: mapping values are not allowed in this context (line 4 is indented more than "
     "line 3, so YAML reads it as more of that line's value)"),
    # a list item indented one space too far
    ("nodes:\n  - {name: a, op: const, value: 1.0}\n   - {name: b, op: const, value: 2.0}\n", "3:4",
     "malformed YAML: did not find expected '-' indicator (the block collection started at 2:3): this item is "
     "indented 1 space more than the list's first item; line the `-` up with it"),
    # tabs, wherever libyaml notices them
    ("nodes:\n\t- {name: a, op: const, value: 1.0}\n", "2:1",
     "malformed YAML: YAML does not allow tabs for indentation; use spaces"),
    ("nodes:\n  - name: a\n\top: const\n", "3:1",
     "malformed YAML: YAML does not allow tabs for indentation; use spaces"),
    ("nodes:\n  - name: a\n  \t op: const\n", "3:3",
     "malformed YAML: YAML does not allow tabs for indentation; use spaces"),
])
def test_a_yaml_mistake_is_located_where_it_is(cli, spec_file, text, where, message):
    path = spec_file(text)
    res = cli("run", path)
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    assert res.stderr.splitlines()[0] == f"{path}:{where}: error: {message}"


def test_a_yaml_mistake_in_a_big_one_node_a_line_spec_is_located_the_same(cli, spec_file):
    """The fast path (yamlfast) declines a document with a broken line: the located path
    reports it, caret and context included."""
    lines = ["nodes:", "  - {name: n0, op: const, value: 1.0}"]
    lines += [f"  - {{name: n{i}, op: add, inputs: [n{i - 1}, n0]}}" for i in range(1, 300)]
    lines[150] = lines[150][:-1]   # the `}` of n149 missing
    path = spec_file("\n".join(lines) + "\n")
    res = cli("run", path)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == (
        f"{path}:151:45: error: malformed YAML: did not find expected ',' or '}}' here (the flow mapping "
        "started at 151:5; the next token is '-' at 152:3)")
    assert res.stderr.splitlines()[2] == "  " + " " * 44 + "^"


@pytest.mark.parametrize("text,where,message", [
    # a literal's constant gets the node's control inputs (TF's with-block): the cycle runs
    # through `a/value`, but the caret goes to the control_inputs item that closes it
    ("nodes:\n  - {name: x, op: variable, value: 0.0}\n"
     "  - {name: a, op: assign_add, inputs: [x, 1.0], control_inputs: [b]}\n"
     "  - {name: b, op: assign_add, inputs: [x, 2.0], control_inputs: [a]}\n", "3:66",
     "dependency cycle: a/value -> b -> b/value -> a -> a/value (the control_inputs entry 'b' here closes it)"),
    ("nodes:\n  - {name: a, op: add, inputs: [1.0, 1.0]}\n  - control_dependencies: [c]\n    nodes:\n"
     "      - {name: b, op: mul, inputs: [a, 2.0]}\n  - {name: c, op: identity, inputs: [b]}\n", "3:28",
     "dependency cycle: b/y -> c -> b -> b/y (the control_dependencies entry 'c' here closes it)"),
])
def test_a_cycle_is_located_at_the_item_that_closes_it(cli, spec_file, text, where, message):
    path = spec_file(text)
    res = cli("run", path)
    assert res.exit_code == 2 and res.stderr.splitlines()[0] == f"{path}:{where}: error: {message}"


@pytest.mark.parametrize("nodes,where,node", [
    # the literal's constant is the first node placed on gpu:3: the caret still goes to the block's device
    ("  - device: gpu:3\n    nodes:\n      - {name: b, op: mul, inputs: [a, 2.0]}\n", "4:13", "b/y"),
    ("  - {name: b, op: mul, inputs: [a, a], device: /device:GPU:3}\n", "4:48", "b"),
])
def test_a_missing_device_names_devices_and_soft_placement_at_the_device_entry(cli, spec_file, nodes, where, node):
    path = spec_file("devices: [cpu:0, gpu:0]\nnodes:\n  - {name: a, op: const, value: 1.0}\n" + nodes
                     + "run: {fetch: [b]}\n")
    res = cli("run", path)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == (
        f"{path}:{where}: error: Cannot assign a device for operation {node}: {{{{node {node}}}}} was explicitly "
        "assigned to gpu:3 but available devices are [ cpu:0, gpu:0 ]. Make sure the device specification "
        "refers to a valid device. (the spec's `devices:` does not list it: add gpu:3 to `devices:`, or run "
        "with --soft-placement to put what asks for it on cpu:0)")
    res = cli("run", path, "--soft-placement")
    assert res.exit_code == 0 and "soft placement puts 'b' on cpu:0" in res.stderr


@pytest.mark.parametrize("graph", ["real_cifar10_train_ref", "real_mnist_softmax", "cifar_loss_averages_resource"])
def test_import_then_check_is_quiet_on_a_graph_tf_made(cli, tmp_path, graph):
    """The new user's run: `idrun import` of a GraphDef TF wrote, then `idrun check` of the spec
    (no `run:`): no step is asked for, so there is nothing to race in, and check says so."""
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from conftest import ROOT
    spec = str(tmp_path / "g.yaml")
    assert cli("import", str(ROOT / "tests/fixtures/graphdefs" / f"{graph}.pbtxt"), "-o", spec).exit_code == 0
    res = cli("check", spec)
    assert res.exit_code == 0 and (res.stdout + res.stderr).strip() == "idrun check: no problems in 1 spec"
    if graph == "real_cifar10_train_ref":   # TF's own run of it races for real, and check says so
        res = cli("check", spec, "--fetch", "total_loss:0,softmax_linear/softmax_linear:0", "--target", "train")
        assert res.exit_code == 1 and res.stdout.count("warning[unordered-read-write]") == 11


MINIMIZE = """nodes:
  - {name: w, op: variable, value: 1.0}
  - {name: loss, op: square, inputs: [w]}
  - minimize: loss
    optimizer: {type: GradientDescent, learning_rate: 0.1}
"""


@pytest.mark.parametrize("old,new,where,message", [
    ("optimizer: {type: GradientDescent", "optimiser: {type: GradientDescent", "5:5",
     "unknown key 'optimiser' in a minimize entry (allowed: minimize, optimizer, var_list, global_step, name, "
     "colocate_gradients_with_ops) (did you mean 'optimizer'?)"),
    ("learning_rate: 0.1", "learning_rat: 0.1", "5:40",
     "unknown key 'learning_rat' in a GradientDescent optimizer (allowed: type, learning_rate, name) "
     "(did you mean 'learning_rate'?)"),
    ("type: GradientDescent", "type: GradientDecent", "5:23",
     "unknown optimizer 'GradientDecent' (known: GradientDescent, Momentum, Adam, RMSProp, Adagrad) "
     "(did you mean 'GradientDescent'?)"),
    ("- minimize: loss", "- minimise: loss", "4:5", "(did you mean 'minimize'?)"),
    ("type: GradientDescent", "type: [GradientDescent]", "5:23",   # was a TypeError, exit 3 (make fuzz)
     "unknown optimizer '['GradientDescent']' (known: GradientDescent, Momentum, Adam, RMSProp, Adagrad) "
     "(did you mean 'GradientDescent'?)"),
])
def test_a_misspelt_key_of_an_entry_is_located_at_the_key_with_a_close_name(cli, spec_file, old, new, where, message):
    path = spec_file(MINIMIZE.replace(old, new))
    res = cli("run", path)
    assert res.exit_code == 2
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{where}: error: ") and first.endswith(message)


def test_a_misspelt_branch_key_is_located_at_the_key(cli, spec_file):
    path = spec_file("""nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - cond: p
    outputs: [y]
    true_fun:
      nodes: [{name: a, op: const, value: 1.0}]
      return: [a]
    false_fn:
      nodes: [{name: b, op: const, value: 2.0}]
      return: [b]
""")
    res = cli("run", path)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == (f"{path}:5:5: error: unknown key 'true_fun' in a cond entry (allowed: cond, "
                                          "name, outputs, true_fn, false_fn) (did you mean 'true_fn'?)")


def test_check_of_an_imported_training_graph_says_to_name_its_step(cli, tmp_path):
    """A MetaGraphDef's UPDATE_OPS with no run: check cannot see a step leave them out, and
    says so, naming the train_op collection; with that target it warns."""
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from conftest import ROOT
    spec = str(tmp_path / "ub.yaml")
    res = cli("import", str(ROOT / "tests/fixtures/graphdefs/real_update_ops_broken.meta"), "-o", spec)
    assert res.exit_code == 0 and res.stderr == f"wrote {spec} (a spec: idrun run {spec}, idrun check {spec})\n"
    res = cli("check", spec)
    assert res.exit_code == 0
    assert res.stderr.startswith(f"{spec}: note: nothing is fetched or targeted") and \
        "(its train_op collection: --target GradientDescent)" in res.stderr
    res = cli("check", spec, "--target", "GradientDescent")
    assert res.exit_code == 1 and res.stdout.count("warning[update-ops-not-run]") == 2 and "note:" not in res.stderr


def test_another_tools_yaml_is_said_not_to_be_a_spec(cli, spec_file):
    path = spec_file("version: '3'\nservices:\n  web:\n    image: nginx\n")
    res = cli("check", path)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == (f"{path}:1:1: error: not an idrun spec: none of its top-level keys "
                                          "('version', 'services') is a spec's (name, description, variables, "
                                          "devices, templates, nodes, run, expect, expand, collections)")

"""conv2d, bias_add, embedding_lookup, EMA, shuffle_batch, parse_example, random ops, templates."""

import numpy as np
import pytest

from conftest import run_spec, values

from idrun.spec import load_spec


def test_conv2d_same_and_valid_match_a_direct_sum(spec_file):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 5, 5, 2)).round(2).tolist()
    f = rng.standard_normal((3, 3, 2, 3)).round(2).tolist()
    path = spec_file(f"""
    nodes:
      - {{name: x, op: const, value: {x}}}
      - {{name: f, op: const, value: {f}}}
      - {{name: same, op: conv2d, inputs: [x, f], strides: [1, 2, 2, 1], padding: SAME}}
      - {{name: valid, op: conv2d, inputs: [x, f], padding: VALID}}
    run: {{fetch: [same, valid]}}
    """)
    r = run_spec(path)
    xa, fa = np.array(x, np.float32), np.array(f, np.float32)
    padded = np.pad(xa, ((0, 0), (1, 1), (1, 1), (0, 0)))
    same = np.array([[[np.einsum("hwi,hwio->o", padded[0, i:i + 3, j:j + 3], fa)
                       for j in range(0, 5, 2)] for i in range(0, 5, 2)]])
    np.testing.assert_allclose(r.steps[0].values["same"], same, rtol=1e-5, atol=1e-5)
    valid = np.array([[[np.einsum("hwi,hwio->o", xa[0, i:i + 3, j:j + 3], fa)
                        for j in range(3)] for i in range(3)]])
    np.testing.assert_allclose(r.steps[0].values["valid"], valid, rtol=1e-5, atol=1e-5)


def test_bias_add_and_embedding_lookup(spec_file):
    path = spec_file("""
    nodes:
      - {name: emb, op: variable, value: [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]}
      - {name: rows, op: embedding_lookup, inputs: [emb, [2, 0]]}
      - {name: out, op: bias_add, inputs: [rows, [10.0, 20.0]]}
    run: {fetch: [out]}
    """)
    assert values(run_spec(path), "out") == [[[14.0, 25.0], [10.0, 21.0]]]


@pytest.mark.parametrize("mode", ["resource", "ref"])
def test_ema_matches_tf_numbers(spec_file, mode):
    # p02 2d: shadow 10, value 20, decay 0.9: 11.0, 11.900001, 12.710001; a tensor starts at 0
    path = spec_file("""
    nodes:
      - {name: v, op: variable, value: 10.0}
      - {name: set, op: assign, inputs: [v, 20.0]}
      - {name: avg, op: exponential_moving_average, inputs: [v], decay: 0.9, control_inputs: [set]}
      - {name: t, op: const, value: 4.0}
      - {name: e2, op: exponential_moving_average, inputs: [t], decay: 0.9}
      - {name: fast, op: exponential_moving_average, inputs: [t], decay: 0.9, num_updates: 0}
      - {name: after, op: read, inputs: [v/avg], control_inputs: [avg]}
      - {name: t_after, op: read, inputs: [t/e2], control_inputs: [e2]}
    run: {fetch: [after, t_after], steps: 3}
    """)
    r = run_spec(path, mode)
    np.testing.assert_allclose(values(r, "after"), [11.0, 11.900001, 12.710001], rtol=1e-7)
    assert np.float32(values(r, "t_after")[0]) == np.float32(0.40000009536743164)
    graph_nodes = list(__import__("idrun.spec", fromlist=["load_spec"]).load_spec(path, mode).graph.nodes)
    assert "v/avg" in graph_nodes and "avg/AssignMovingAvg" in graph_nodes


def test_ema_num_updates_caps_decay(spec_file):
    path = spec_file("""
    nodes:
      - {name: v, op: variable, value: 10.0}
      - {name: set, op: assign, inputs: [v, 20.0]}
      - {name: avg, op: exponential_moving_average, inputs: [v], decay: 0.9, num_updates: 0,
         control_inputs: [set]}
      - {name: after, op: read, inputs: [v/avg], control_inputs: [avg]}
    run: {fetch: [after]}
    """)
    assert values(run_spec(path), "after") == [19.0]


def test_ema_shadow_is_colocated_with_its_input(spec_file):
    from idrun.compile.placement import place
    from idrun.spec import load_spec
    spec = load_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: loss1, op: const, value: 1.0, device: cpu:1}
      - {name: avg, op: exponential_moving_average, inputs: [loss1], decay: 0.9}
    """))
    p = place(spec.graph, spec.devices)
    assert p.device["loss1/avg"] == p.device["avg/AssignMovingAvg"] == "cpu:1"


def test_shuffle_batch_is_seeded_and_honours_its_queue(spec_file):
    text = """
    nodes:
      - {{name: xs, op: const, value: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}}
      - {{name: ys, op: mul, inputs: [xs, 10]}}
      - {{name: b, op: shuffle_batch, inputs: [xs, ys], batch_size: 3, capacity: 8,
          min_after_dequeue: 4, seed: {seed}, enqueue_many: true}}
    run: {{fetch: ["b:0", "b:1"], steps: 4}}
    """
    r1 = run_spec(spec_file(text.format(seed=1), "a.yaml"))
    r2 = run_spec(spec_file(text.format(seed=1), "b.yaml"))
    r3 = run_spec(spec_file(text.format(seed=2), "c.yaml"))
    assert values(r1, "b:0") == values(r2, "b:0") != values(r3, "b:0")
    for xs, ys in zip(values(r1, "b:0"), values(r1, "b:1")):
        assert len(xs) == 3 and [x * 10 for x in xs] == ys    # rows stay together
    first = values(r1, "b:0")[0]
    assert max(first) <= 6     # only the first min_after_dequeue + batch_size were queued


def test_shuffle_batch_inputs_are_one_example_by_default(spec_file):
    """tf.train.shuffle_batch's enqueue_many=False: every output gains a batch dimension."""
    path = spec_file("""
    nodes:
      - {name: image, op: const, value: [1.0, 2.0, 3.0]}
      - {name: label, op: const, value: 7}
      - {name: b, op: shuffle_batch, inputs: [image, label], batch_size: 2, capacity: 10,
         min_after_dequeue: 2, seed: 1}
    run: {fetch: ["b:0", "b:1"]}
    """)
    spec = load_spec(path)
    assert [str(t) for t in spec.graph.nodes["b"].outputs] == ["float32[2,3]", "int32[2]"]
    r = run_spec(path)
    assert values(r, "b:0") == [[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]]
    assert values(r, "b:1") == [[7, 7]]


def test_parse_example_decodes_real_records(spec_file, tmp_path, cli):
    pytest.importorskip("google.protobuf")
    from idrun.ops.example_proto import serialize_example
    records = np.array([serialize_example({"image": [1.0, 2.0], "label": 3}),
                        serialize_example({"image": [4.0, 5.0], "label": 7})], dtype=object)
    np.save(tmp_path / "records.npy", records.astype(bytes))
    path = spec_file("""
    nodes:
      - {name: serialized, op: placeholder, dtype: string, shape: [null]}
      - {name: parsed, op: parse_example, inputs: [serialized],
         features: {label: {shape: [], dtype: int64}, image: {shape: [2], dtype: float32}}}
      - {name: image, op: identity, inputs: ["parsed:0"]}
      - {name: label, op: identity, inputs: ["parsed:1"]}
    run: {fetch: [image, label], feed: {serialized: {file: records.npy}}}
    """)
    r = run_spec(path)
    assert values(r, "image") == [[[1.0, 2.0], [4.0, 5.0]]]
    assert values(r, "label") == [[3, 7]]
    assert r.steps[0].values["label"].dtype == np.int64


def test_random_ops_are_reproducible_and_change_per_step(spec_file):
    text = """
    nodes:
      - {name: n, op: random_normal, shape: [4], seed: 3}
      - {name: u, op: random_uniform, shape: [4], minval: 2.0, maxval: 3.0}
    run: {fetch: [n, u], steps: 2}
    """
    a, b = run_spec(spec_file(text, "a.yaml")), run_spec(spec_file(text, "b.yaml"))
    assert values(a, "n") == values(b, "n") and values(a, "u") == values(b, "u")
    assert values(a, "n")[0] != values(a, "n")[1]
    assert all(2.0 <= v < 3.0 for v in values(a, "u")[0])


TEMPLATE = """
templates:
  layer:
    params: {input: null, act: relu, scale: 2.0}
    output: out
    nodes:
      - {name: w, op: mul, inputs: [$input, $scale]}
      - {name: out, op: $act, inputs: [w]}
nodes:
  - {name: x, op: const, value: [-1.0, 1.0]}
  - {name: l1, use: layer, with: {input: x}}
  - {name: pre, use: layer, with: {input: x, act: identity}}
  - {name: l1, use: layer, with: {input: pre, scale: 3.0}}
run: {fetch: [l1, pre, l1_1, l1/w]}
"""


def test_templates_instantiate_under_their_scopes(spec_file):
    r = run_spec(spec_file(TEMPLATE))
    assert values(r, "l1") == [[0.0, 2.0]]
    assert values(r, "pre") == [[-2.0, 2.0]]         # act=identity: the pre-activation
    assert values(r, "l1_1") == [[0.0, 6.0]]          # second l1 gets scope l1_1
    assert values(r, "l1/w") == [[-2.0, 2.0]]


@pytest.mark.parametrize("use,fragment", [
    ("{name: a, use: layr, with: {input: x}}", "unknown template 'layr' (did you mean 'layer'?)"),
    ("{name: a, use: layer}", "template 'layer' needs parameter 'input'"),
    ("{name: a, use: layer, with: {input: x, actt: relu}}", "template 'layer' has no parameter 'actt'"),
])
def test_template_errors_are_located(cli, spec_file, use, fragment):
    text = TEMPLATE.split("nodes:\n  - {name: x")[0] + "nodes:\n  - {name: x, op: const, value: 1.0}\n  - " + use + "\n"
    res = cli("run", spec_file(text))
    assert res.exit_code == 2
    assert fragment in res.stderr and ":11:" in res.stderr.splitlines()[0]


def test_parse_example_without_protobuf_names_the_extra(cli, monkeypatch):
    import sys
    from idrun.ops.example_proto import example_class
    example_class.cache_clear()
    monkeypatch.setitem(sys.modules, "google.protobuf", None)  # as if protobuf were missing
    try:
        res = cli("run", "graphs/parse_example_named.yaml")
    finally:
        example_class.cache_clear()
    assert res.exit_code == 2 and "internal error" not in res.stderr
    assert "pip install 'idrun[examples]'" in res.stderr

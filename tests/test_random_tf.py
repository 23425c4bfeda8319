"""TF's own random numbers (idrun/ops/philox.py, idrun/ops/random.py), bit for bit.

Every expected value below was printed by TF 2.21 (tensorflow-cpu, graph mode): a fresh
`tf.compat.v1.Graph()` and `Session`, the op named in each case run three times (three
steps), values printed with `float(str(x))` (float32/float16) or `float(x)` (float64).
The large cases pin the first 16 hex digits of sha256 over TF's output bytes.
"""

import hashlib

import numpy as np
import pytest

from conftest import run_spec

from idrun.ops import philox
from idrun.ops.random import tf_seeds

# case: (spec attributes, dtype, TF's values at steps 1..3)
TF_VALUES = {
    # tf1.random_uniform([5], seed=3)
    "uniform_f32": ("op: random_uniform, shape: [5], seed: 3", "float32", [
        [0.3869294, 0.36002624, 0.9768796, 0.08651638, 0.5038012],
        [0.47964334, 0.29272044, 0.9550446, 0.20956695, 0.37514734],
        [0.08601689, 0.03711033, 0.89816296, 0.81857586, 0.14360738]]),
    # tf1.random_uniform([3], dtype=tf.float64, seed=3)
    "uniform_f64": ("op: random_uniform, shape: [3], dtype: float64, seed: 3", "float64", [
        [0.0954352046549809, 0.8150370178493045, 0.030410284844230695],
        [0.5373593020813838, 0.9136903450324854, 0.9388836826390048],
        [0.23630626059785276, 0.5128990988534514, 0.4489830486518085]]),
    # tf1.random_uniform([5], dtype=tf.float16, seed=3)
    "uniform_f16": ("op: random_uniform, shape: [5], dtype: float16, seed: 3", "float16", [
        [0.7256, 0.335, 0.5977, 0.742, 0.1396], [0.2383, 0.966, 0.7256, 0.7725, 0.207],
        [0.6504, 0.007812, 0.751, 0.7734, 0.4316]]),
    # tf1.random_uniform([5], minval=-1.0, maxval=3.0, seed=4): RandomUniform * (max - min) + min
    "uniform_scaled": ("op: random_uniform, shape: [5], minval: -1.0, maxval: 3.0, seed: 4", "float32", [
        [2.8263268, 0.0672431, 2.991191, 2.383572, -0.8792653],
        [1.0551996, 1.4086795, -0.7340441, 1.661488, 1.9908705],
        [0.05319929, 0.007256508, 0.55577755, 1.4321675, 0.93834114]]),
    # tf1.random_uniform([5], minval=-5, maxval=100, dtype=tf.int32, seed=5): RandomUniformInt
    "uniform_int32": ("op: random_uniform, shape: [5], minval: -5, maxval: 100, dtype: int32, seed: 5",
                      "int32", [[26, 69, 94, 69, 57], [74, 85, 48, 27, 49], [48, 97, 56, -3, 83]]),
    # tf1.random_uniform([3], minval=-7, maxval=2**40, dtype=tf.int64, seed=5)
    "uniform_int64": ("op: random_uniform, shape: [3], minval: -7, maxval: 1099511627776, dtype: int64, "
                      "seed: 5", "int64", [[617672204675, 1028896430056, 715372832060],
                                           [353340031117, 645595264533, 387017470601],
                                           [282733793056, 610401025045, 579828301966]]),
    # the same numbers as RandomUniformInt itself, the op an imported GraphDef holds
    "uniform_int32_op": ("op: random_uniform_int, shape: [5], minval: -5, maxval: 100, seed: 5", "int32",
                         [[26, 69, 94, 69, 57], [74, 85, 48, 27, 49], [48, 97, 56, -3, 83]]),
    # tf1.random_normal([7], seed=1)
    "normal_f32": ("op: random_normal, shape: [7], seed: 1", "float32", [
        [-0.8113182, 1.4845988, 0.06532937, -2.4427042, 0.0992484, 0.5912243, 0.59282297],
        [-1.4034753, 2.1319556, 0.008457509, -0.35717964, 0.301066, 0.51073116, 2.3125093],
        [0.64838666, -1.6894096, -1.5745624, 0.6466162, -0.12346732, -0.46388203, -0.47984084]]),
    # tf1.random_normal([3], dtype=tf.float64, seed=1)
    "normal_f64": ("op: random_normal, shape: [3], dtype: float64, seed: 1", "float64", [
        [0.24282754598505307, -0.35299821810996557, -0.8365077914900015],
        [0.439005029887392, -0.473551896519679, -0.3078509668803425],
        [-1.6405009197175757, -1.3125815495728597, 0.4917251228328912]]),
    # tf1.random_normal([3], mean=1.5, stddev=0.5, seed=2): RandomStandardNormal * stddev + mean
    "normal_scaled": ("op: random_normal, shape: [3], mean: 1.5, stddev: 0.5, seed: 2", "float32", [
        [1.0709445, 1.4016885, 1.5694752], [1.488756, 1.9116225, 1.6290319],
        [1.6882247, 1.3980613, 1.7110133]]),
    # tf1.truncated_normal([6], seed=2)
    "truncated_f32": ("op: truncated_normal, shape: [6], seed: 2", "float32", [
        [-0.85811085, -0.19662298, 0.13895045, -1.2212768, -0.20793143, -1.7782797],
        [0.37644932, -0.20387752, 0.42202652, -0.5224477, 0.698788, 1.9204941],
        [-0.3946011, -1.9739541, -1.7376188, -0.29741368, -0.8422155, 1.7145193]]),
    # tf1.truncated_normal([3], dtype=tf.float64, seed=2)
    "truncated_f64": ("op: truncated_normal, shape: [3], dtype: float64, seed: 2", "float64", [
        [-1.2973864969841682, 0.06965108479623461, 1.2432731970141813],
        [-0.10021455203852565, -0.8400285382673743, -1.6157224392713194],
        [1.028762567830162, -1.1632462797778733, -1.3027511661455924]]),
    # tf1.truncated_normal([6], dtype=tf.float16, seed=2): TF's float Box-Muller, then half
    "truncated_f16": ("op: truncated_normal, shape: [6], dtype: float16, seed: 2", "float16", [
        [-0.85791015625, -0.1966552734375, 0.138916015625, -1.2216796875, -0.2078857421875, -1.7783203125],
        [0.37646484375, -0.203857421875, 0.422119140625, -0.5224609375, 0.69873046875, 1.9208984375],
        [-0.39453125, -1.9736328125, -1.7373046875, -0.29736328125, -0.84228515625, 1.71484375]]),
    # tf1.random_normal([5], mean=0.3, stddev=1.7, dtype=tf.float16, seed=3): Mul and Add in half
    "normal_f16_scaled": ("op: random_normal, shape: [5], mean: 0.3, stddev: 1.7, dtype: float16, seed: 3",
                          "float16", [[2.10546875, -1.193359375, 0.490234375, 0.61474609375, 1.845703125],
                                      [2.287109375, -0.246826171875, 0.798828125, 0.4296875, -0.65625],
                                      [1.169921875, 3.962890625, -0.415771484375, 0.62890625, -2.033203125]]),
    # tf1.random_shuffle(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), seed=1): rows move
    "shuffle_rows": ("op: random_shuffle, inputs: [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], seed: 1", "float32", [
        [[1.0, 2.0], [5.0, 6.0], [3.0, 4.0]], [[3.0, 4.0], [1.0, 2.0], [5.0, 6.0]],
        [[5.0, 6.0], [3.0, 4.0], [1.0, 2.0]]]),
    # tf1.random_uniform([0, 3], seed=1): empty, and it reserves nothing
    "uniform_empty": ("op: random_uniform, shape: [0, 3], seed: 1", "float32", [[], [], []]),
    # tf1.random_shuffle(tf.constant(3.0), seed=1): a scalar comes back as it is
    "shuffle_scalar": ("op: random_shuffle, inputs: [3.0], seed: 1", "float32", [3.0, 3.0, 3.0]),
    # tf1.random_shuffle(tf.range(10), seed=4)
    "shuffle": ("op: random_shuffle, inputs: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], seed: 4", "int32", [
        [5, 6, 8, 3, 9, 2, 4, 1, 7, 0], [7, 9, 1, 0, 5, 3, 8, 2, 6, 4], [1, 2, 4, 5, 6, 0, 8, 7, 3, 9]]),
    # tf1.set_random_seed(1); tf1.random_uniform([3], seed=7): seed=1, seed2=7
    "graph_seed": ("op: random_uniform, shape: [3], seed: 7, graph_seed: 1", "float32", [
        [0.78784764, 0.70039785, 0.904197], [0.4404043, 0.68988, 0.8972132],
        [0.13742352, 0.5428976, 0.53075635]]),
}

# case: (spec attributes, dtype, sha256[:16] of TF's output bytes at steps 1 and 2)
TF_DIGESTS = {
    "normal": ("op: random_normal, shape: [1000, 1001], seed: 9", "float32",
               ["4bd70d55c5402c65", "709f7918bc15877d"]),
    "truncated": ("op: truncated_normal, shape: [100003], seed: 9", "float32",
                  ["04f97331090255c6", "e11e7eff12714f83"]),
    "normal64": ("op: random_normal, shape: [100001], dtype: float64, seed: 9", "float64",
                 ["6a5f0be4930493db", "bddf165dc4a59e7e"]),
    "truncated64": ("op: truncated_normal, shape: [50001], dtype: float64, seed: 9", "float64",
                    ["cbbeaebe06195f32", "16555ddcb69ed633"]),
    "uniform": ("op: random_uniform, shape: [1000, 1001], seed: 9", "float32",
                ["2b10150c40950dad", "b2e26a3e11d7fc8b"]),
}


def _run(spec_file, attrs: str, steps: int):
    path = spec_file(f"nodes:\n  - {{name: r, {attrs}}}\nrun: {{fetch: [r], steps: {steps}}}\n")
    return [s.values["r"] for s in run_spec(path).steps]


@pytest.mark.parametrize("case", sorted(TF_VALUES))
def test_three_steps_give_tfs_numbers_bit_for_bit(spec_file, case):
    attrs, dtype, expected = TF_VALUES[case]
    got = _run(spec_file, attrs, 3)
    for step, (value, want) in enumerate(zip(got, expected), 1):
        want = np.array(want, dtype=dtype)
        want = want.reshape(value.shape) if want.size <= 1 else want   # the empty and scalar cases
        assert value.dtype == want.dtype and value.shape == want.shape
        assert value.tobytes() == want.tobytes(), f"step {step}: {value.tolist()} != {want.tolist()}"


@pytest.mark.parametrize("case", sorted(TF_DIGESTS))
def test_large_outputs_match_tfs_bytes(spec_file, case):
    attrs, dtype, digests = TF_DIGESTS[case]
    got = _run(spec_file, attrs, 2)
    assert [hashlib.sha256(v.tobytes()).hexdigest()[:16] for v in got] == digests
    assert got[0].dtype == np.dtype(dtype)


def test_tf_get_seed_rules():
    assert tf_seeds(None, None) == (0, 0)                       # unseeded: TF draws a random key
    assert tf_seeds(5, None) == (87654321, 5)                   # DEFAULT_GRAPH_SEED
    assert tf_seeds(5, 1) == (1, 5)
    assert tf_seeds(0, 0) == (0, 2**31 - 1)                     # (0, 0) would mean unseeded
    assert tf_seeds(2**31 + 4, None) == (87654321, 5)           # truncated modulo 2**31 - 1


def test_philox_words_of_the_reference_key():
    # Philox4x32-10 of counter 0, key 0 (Random123's known-answer test, as TF's generator)
    assert philox.philox(0, 0, 1).tolist() == [[0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]]


def test_each_run_skips_256_calls_per_output():
    state = philox.PhiloxState(1, 2)
    assert state.counter == 2 << 64
    assert state.reserve(5 * 256) == 2 << 64 and state.counter == (2 << 64) + 1280


def test_unseeded_ops_repeat_across_runs_and_differ_by_name(spec_file):
    text = "nodes:\n  - {name: a, op: random_normal, shape: [4]}\n  - {name: b, op: random_normal, shape: [4]}\n" \
           "run: {fetch: [a, b]}\n"
    first, second = run_spec(spec_file(text, "x.yaml")), run_spec(spec_file(text, "y.yaml"))
    assert first.steps[0].values["a"].tolist() == second.steps[0].values["a"].tolist()
    assert first.steps[0].values["a"].tolist() != first.steps[0].values["b"].tolist()


@pytest.mark.parametrize("attrs,message", [
    ("op: random_uniform, shape: [2], graph_seed: 1", "a `graph_seed` needs an op `seed` too"),
    ("op: random_uniform, shape: [2], dtype: int32", "Must specify maxval for integer dtype int32"),
    ("op: random_uniform, shape: [2], dtype: int32, minval: 3, maxval: 3", "Need minval < maxval, got 3 >= 3"),
    ("op: random_normal, shape: [2], dtype: int32", "random values must be a float dtype"),
    ("op: random_uniform_int, shape: [2], maxval: 3, dtype: float32", "RandomUniformInt makes int32 or int64"),
    ("op: truncated_normal, shape: [null]", "need a fully known `shape`"),
])
def test_bad_random_ops_are_located_errors(cli, spec_file, attrs, message):
    res = cli("run", spec_file(f"nodes:\n  - {{name: r, {attrs}}}\n"))
    assert res.exit_code == 2 and message in res.stderr and ":2:" in res.stderr.splitlines()[0]


def test_export_writes_tfs_calls_with_the_seeds(cli, spec_file):
    path = spec_file("nodes:\n  - {name: u, op: random_uniform, shape: [2], minval: -1.0, maxval: 3.0, seed: 4}\n"
                     "  - {name: t, op: truncated_normal, shape: [3], seed: 8, graph_seed: 1}\n")
    res = cli("export", path)
    assert res.exit_code == 0
    assert "tf.random.uniform([2], minval=-1.0, maxval=3.0, dtype=tf.float32, seed=4, name='u')" in res.stdout
    assert "(setattr(g, 'seed', 1), tf.random.truncated_normal([3], mean=0.0, stddev=1.0, " \
           "dtype=tf.float32, seed=8, name='t'), setattr(g, 'seed', None))[1]" in res.stdout


# ---- the raw ops: the shape (and RandomUniformInt's bounds) a tensor at run time ----------
# The shape grows each step ([1, 2], [2, 3], [3, 4]: a variable that assign_add moves), so each
# step's numbers start where TF's counter is after the last step's size * 256 calls. TF's values
# from v = tf1.Variable([0, 1]); s = tf1.assign_add(v, [1, 1]) and the call named, 3 steps.
RAW_SPEC = """nodes:
  - {{name: v, op: variable, value: [0, 1]}}
  - {{name: s, op: assign_add, inputs: [v, [1, 1]]}}
  - {{name: m, op: placeholder, dtype: int64, shape: []}}
  - {{name: r, {attrs}}}
run: {{fetch: [r], steps: 3, feed: {{m: -7}}}}
"""
RAW_SHAPES = [(1, 2), (2, 3), (3, 4)]
RAW_TF_VALUES = {
    # tf1.random_uniform(s, seed=3): RandomUniform(s)
    "uniform": ("op: random_uniform_raw, inputs: [s], seed: 3", "float32", [
        [0.3869294, 0.36002624],
        [0.19575107, 0.07571161, 0.5179372, 0.44079173, 0.3880694, 0.5192504],
        [0.23662817, 0.70081663, 0.62155175, 0.66807485, 0.8733578, 0.83606076, 0.30191743, 0.7133311,
         0.38798475, 0.82815385, 0.8266287, 0.85453224]]),
    # tf1.random_normal(s, seed=1): RandomStandardNormal(s)
    "normal": ("op: random_standard_normal_raw, inputs: [s], seed: 1", "float32", [
        [-0.8113182, 1.4845988],
        [1.3587774, 0.5417413, -0.86009884, -0.0040245964, -0.028244682, -0.5914484],
        [-1.6338211, 0.24209403, 0.51577866, -0.41905868, -0.4801764, 2.083789, 0.0041844724, 1.3973546,
         -0.6845943, -1.1470577, 0.6440493, -0.573402]]),
    # tf1.random_normal(s, dtype=tf.float16, seed=1)
    "normal_f16": ("op: random_standard_normal_raw, inputs: [s], dtype: float16, seed: 1", "float16", [
        [-0.8115, 1.484], [1.358, 0.5415, -0.86, -0.004025, -0.02824, -0.5913],
        [-1.634, 0.2421, 0.5156, -0.419, -0.4802, 2.084, 0.004185, 1.397, -0.6846, -1.147, 0.644, -0.573]]),
    # tf1.truncated_normal(s, seed=2): TruncatedNormal(s)
    "truncated": ("op: truncated_normal_raw, inputs: [s], seed: 2", "float32", [
        [-0.85811085, -0.19662298],
        [-1.0977627, 0.4324067, -0.042761937, 0.2735465, -0.022488186, 0.82324517],
        [0.3373583, -0.20537543, 0.3382031, -0.55726606, -0.4291646, 1.4871014, -1.7460824, -1.2303872,
         1.6488229, -1.5004363, -0.23791486, -0.040972758]]),
    # tf1.truncated_normal(s, dtype=tf.float64, seed=2)
    "truncated_f64": ("op: truncated_normal_raw, inputs: [s], dtype: float64, seed: 2", "float64", [
        [-1.2973864969841682, 0.06965108479623461],
        [-0.14447727991671777, -0.047770553219825006, -1.2083224310804312, -0.1878225274990437,
         -0.10021455203852565, -0.8400285382673743],
        [0.2644407449665689, -1.328111634479538, -0.4468075707420525, 1.43416364961883, -1.2101580638418328,
         0.543552203858459, 1.6792910632564666, 0.6079335386804503, -0.893308903174217, 0.114195031366305,
         1.4318227140102469, 0.21143279854146077]]),
    # tf1.random_uniform(s, minval=-5, maxval=100, dtype=tf.int32, seed=5): RandomUniformInt(s, -5, 100)
    "int32": ("op: random_uniform_int_raw, inputs: [s, -5, 100], seed: 5", "int32", [
        [26, 69], [57, 56, 73, -4, 59, 92], [82, 49, 8, 86, 42, 4, -1, 38, 90, 86, 81, 9]]),
}


def _raw_run(spec_file, attrs: str):
    return [s.values["r"] for s in run_spec(spec_file(RAW_SPEC.format(attrs=attrs))).steps]


@pytest.mark.parametrize("case", sorted(RAW_TF_VALUES))
def test_raw_ops_read_the_shape_each_run_and_give_tfs_numbers(spec_file, case):
    attrs, dtype, expected = RAW_TF_VALUES[case]
    for step, (value, want, shape) in enumerate(zip(_raw_run(spec_file, attrs), expected, RAW_SHAPES), 1):
        want = np.array(want, dtype=dtype).reshape(shape)
        assert value.dtype == want.dtype and value.shape == want.shape
        assert value.tobytes() == want.tobytes(), f"step {step}: {value.tolist()} != {want.tolist()}"


def test_raw_uniform_int_with_a_computed_bound(spec_file):
    # m = tf1.placeholder(tf.int64, []); tf1.random_uniform([3], minval=m, maxval=2**40, dtype=tf.int64,
    # seed=5) fed m=-7: RandomUniformInt with a constant shape, and TF's numbers of the attribute form
    got = _raw_run(spec_file, "op: random_uniform_int_raw, inputs: [[3], m, 1099511627776], seed: 5")
    assert [v.dtype for v in got] == [np.dtype("int64")] * 3
    assert [v.tolist() for v in got] == [[617672204675, 1028896430056, 715372832060],
                                         [353340031117, 645595264533, 387017470601],
                                         [282733793056, 610401025045, 579828301966]]


def test_raw_ops_infer_tfs_shapes(spec_file):
    path = spec_file("""nodes:
  - {name: x, op: placeholder, dtype: float32, shape: [null, 4]}
  - {name: p, op: placeholder, dtype: int32, shape: [null]}
  - {name: known, op: random_uniform_raw, inputs: [[2, 3]], seed: 1}
  - {name: partly, op: random_uniform_raw, inputs: [[-1, 3]], seed: 1}
  - {name: s, op: shape, inputs: [x]}
  - {name: of_x, op: random_standard_normal_raw, inputs: [s], seed: 1}
  - {name: fed, op: truncated_normal_raw, inputs: [p], dtype: float64, seed: 1}
  - {name: ints, op: random_uniform_int_raw, inputs: [p, 0, 7], seed: 1}
""")
    from idrun.spec import load_spec
    nodes = load_spec(path).graph.nodes
    out = {n: (nodes[n].outputs[0].dtype, nodes[n].outputs[0].shape)
           for n in ("known", "partly", "of_x", "fed", "ints")}
    # TF's static shapes: (2, 3), (None, 3), (None, None) (the rank of Shape(x)), <unknown>
    assert out == {"known": ("float32", (2, 3)), "partly": ("float32", (None, 3)),
                   "of_x": ("float32", (None, None)), "fed": ("float64", None), "ints": ("int32", None)}


@pytest.mark.parametrize("attrs,message", [
    # TF's shape function and op def, in its words (tf.raw_ops.* in graph mode)
    ("op: random_uniform_raw, inputs: [[[1, 2]]], seed: 1", "Shape must be rank 1 but is rank 2"),
    ("op: random_uniform_raw, inputs: [[-2, 2]], seed: 1", "Invalid value in tensor used for shape: -2"),
    ("op: random_uniform_raw, inputs: [[1.0]], seed: 1",
     "Value passed to parameter 'shape' has DataType float32 not in list of allowed values: int32, int64"),
    ("op: random_uniform_raw, inputs: [[2]], dtype: int32, seed: 1",
     "Value passed to parameter 'dtype' has DataType int32 not in list of allowed values"),
    ("op: random_uniform_int_raw, inputs: [[2], [1], 3], seed: 1",
     "minval must be a scalar; got a tensor of shape [1]"),
    ("op: truncated_normal_raw, inputs: [[2]], graph_seed: 1", "a `graph_seed` needs an op `seed` too"),
])
def test_bad_raw_ops_are_located_errors(cli, spec_file, attrs, message):
    res = cli("run", spec_file(f"nodes:\n  - {{name: r, {attrs}}}\n"))
    assert res.exit_code == 2 and message in res.stderr and ":2:" in res.stderr.splitlines()[0]


@pytest.mark.parametrize("feed,attrs,message", [
    # TF's kernels, fed p: "Dimension -1 must be >= 0", "Need minval < maxval, got 3 >= 3"
    ("[-1, 2]", "op: random_uniform_raw, inputs: [p], seed: 1", "Dimension -1 must be >= 0"),
    ("[2]", "op: random_uniform_int_raw, inputs: [p, 3, 3], seed: 1", "Need minval < maxval, got 3 >= 3"),
    ("[0]", "op: random_uniform_int_raw, inputs: [p, 3, 3], seed: 1", None),  # empty: TF checks nothing
])
def test_raw_ops_check_the_run_time_shape_as_tf(spec_file, feed, attrs, message):
    path = spec_file(f"nodes:\n  - {{name: p, op: placeholder, dtype: int32, shape: [null]}}\n"
                     f"  - {{name: r, {attrs}}}\nrun: {{fetch: [r], feed: {{p: {feed}}}}}\n")
    result = run_spec(path)
    if message is None:
        assert result.error is None and result.steps[0].values["r"].shape == (0,)
    else:
        assert message in result.error.message


def test_import_makes_the_raw_op_only_for_a_computed_shape():
    from idrun.ops import REGISTRY
    seeds = {"dtype": "float32", "seed": 87654321, "seed2": 7}
    assert REGISTRY["random_uniform"].tf_import(seeds, [None]) == {"op": "random_uniform_raw", "dtype": "float32",
                                                                   "seed": 7}
    assert REGISTRY["random_normal"].tf_import(seeds, [np.array([2, 3])]) == {"shape": [2, 3], "dtype": "float32",
                                                                             "seed": 7}
    ints = {"Tout": "int64", "seed": 1, "seed2": 2}
    assert REGISTRY["random_uniform_int"].tf_import(ints, [np.array([2]), None, 5]) == {
        "op": "random_uniform_int_raw", "graph_seed": 1, "seed": 2}


def test_export_writes_tfs_raw_ops_with_the_seeds(cli, spec_file):
    path = spec_file("nodes:\n  - {name: p, op: placeholder, dtype: int32, shape: [2]}\n"
                     "  - {name: u, op: random_uniform_raw, inputs: [p], seed: 4}\n"
                     "  - {name: k, op: random_uniform_int_raw, inputs: [p, 0, 9], seed: 8, graph_seed: 1}\n")
    res = cli("export", path)
    assert res.exit_code == 0
    assert "tf.raw_ops.RandomUniform(shape=OUT(T['p'], 0), dtype=tf.float32, seed=87654321, seed2=4, " \
           "name='u')" in res.stdout
    assert "tf.raw_ops.RandomUniformInt(shape=OUT(T['p'], 0), minval=0, maxval=9, seed=1, seed2=8, " \
           "name='k')" in res.stdout


def test_dropout_fixture_is_tfs_numbers_bit_for_bit(tmp_path):
    """tf1.nn.dropout on a fed [None, 4] batch and tf1.random_normal(tf.shape(x)), as TF wrote and ran
    them (scripts/graphdef_cases/random_ops.py): imported to the raw ops, every value exact."""
    import json
    from pathlib import Path

    from idrun.tf.graphdef_import import import_graphdef
    fixtures = Path(__file__).parent / "fixtures" / "graphdefs"
    record = json.loads((fixtures / "random_computed_shapes.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(fixtures / "random_computed_shapes.pbtxt"), str(spec))
    assert "op: random_uniform_raw" in spec.read_text() and "tf_opaque" not in spec.read_text()
    result = run_spec(str(spec), fetch=record["fetch"], feeds=record["feeds"], steps=3)
    dtypes = {"drop_flat:0": "float32", "noise_flat:0": "float32", "noisy_flat:0": "float32",
              "t_flat:0": "float64", "k_flat:0": "int32"}
    for ours, theirs in zip(result.steps, record["steps"]):
        for name, dtype in dtypes.items():
            want = np.array(theirs["values"][name], dtype=dtype)
            assert ours.values[name].tobytes() == want.tobytes(), name

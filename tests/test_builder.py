"""Graph construction as TF does it: control dependencies, names, literals, references."""

from idrun.spec import load_spec


def build(spec_file, body: str, mode: str = "resource"):
    return load_spec(spec_file("nodes:\n" + body), mode).graph


def ctrl(graph, name):
    return list(graph.nodes[name].control_inputs)


def test_only_created_nodes_get_control_inputs(spec_file):
    g = build(spec_file, """
  - {name: pre, op: no_op}
  - {name: a, op: const, value: 1.0}
  - control_dependencies: [pre]
    nodes:
      - {name: c, op: identity, inputs: [a]}
      - {name: k, op: const, value: 2.0}
      - {name: lit, op: add, inputs: [a, 7.0]}
""")
    assert ctrl(g, "c") == ["pre"]
    assert ctrl(g, "k") == ["pre"]
    assert ctrl(g, "a") == []
    assert ctrl(g, "lit") == []          # dominated by its literal, created in the block (A3)
    assert ctrl(g, "lit/y") == ["pre"]   # the implicit constant carries the edge (A2)


def test_nested_and_cleared_blocks(spec_file):
    g = build(spec_file, """
  - {name: d1, op: no_op}
  - {name: d2, op: no_op}
  - {name: d3, op: no_op}
  - {name: a, op: const, value: 1.0}
  - control_dependencies: [d1]
    nodes:
      - {name: n1, op: identity, inputs: [a]}
      - control_dependencies: [d2]
        nodes:
          - {name: n2, op: identity, inputs: [a]}
      - control_dependencies: null
        nodes:
          - {name: n3, op: identity, inputs: [a]}
          - control_dependencies: [d3]
            nodes:
              - {name: n4, op: identity, inputs: [a]}
      - {name: n6, op: identity, inputs: [a]}
      - control_dependencies: [d1, d1]
        nodes:
          - {name: h, op: identity, inputs: [a]}
""")
    assert ctrl(g, "n1") == ["d1"]
    assert ctrl(g, "n2") == ["d1", "d2"]
    assert ctrl(g, "n3") == []
    assert ctrl(g, "n4") == ["d3"]
    assert ctrl(g, "n6") == ["d1"]
    assert ctrl(g, "h") == ["d1"]


def test_domination_pruning_matches_tf(spec_file):
    # p01 1g: p: [d1], q=identity(p): [], r in inner [d2] reading p: [d2], s=identity(r): []
    g = build(spec_file, """
  - {name: d1, op: no_op}
  - {name: d2, op: no_op}
  - {name: a, op: const, value: 1.0}
  - {name: b, op: const, value: 2.0}
  - control_dependencies: [d1]
    nodes:
      - {name: p, op: identity, inputs: [a]}
      - {name: q, op: identity, inputs: [p]}
      - {name: q2, op: add, inputs: [a, p]}
      - control_dependencies: [d2]
        nodes:
          - {name: r, op: identity, inputs: [p]}
          - {name: s, op: identity, inputs: [r]}
  - control_dependencies: [b]
    nodes:
      - {name: e, op: add, inputs: [b, a]}
      - {name: j, op: identity, inputs: [a]}
""")
    assert ctrl(g, "p") == ["d1"]
    assert ctrl(g, "q") == [] and ctrl(g, "q2") == []
    assert ctrl(g, "r") == ["d2"]
    assert ctrl(g, "s") == []
    assert ctrl(g, "e") == []              # b is already a data input
    assert ctrl(g, "j") == ["b"]


def test_control_inputs_key_acts_as_a_block_for_one_node(spec_file):
    g = build(spec_file, """
  - {name: x, op: variable, value: 0.0}
  - {name: inc, op: assign_add, inputs: [x, 1.0]}
  - {name: y, op: mul, inputs: [x, 2.0], control_inputs: [inc]}
""")
    assert ctrl(g, "y/ReadVariableOp") == ["inc"]
    assert ctrl(g, "y/y") == ["inc"]
    assert ctrl(g, "y") == []


def test_name_uniquification_follows_tf(spec_file):
    g = build(spec_file, """
  - {op: const, value: 1.0}
  - {op: identity, inputs: [Const]}
  - {op: identity, inputs: [Const]}
  - {op: identity, inputs: [Const]}
  - {name: Identity, op: identity, inputs: [Const]}
  - {name: Identity_5, op: identity, inputs: [Const]}
  - {op: identity, inputs: [Const]}
  - {name: Identity_1, op: identity, inputs: [Const]}
  - {name: foo, op: identity, inputs: [Const]}
  - {name: Foo, op: identity, inputs: [Const]}
""")
    names = [n for n in g.nodes]
    assert names == ["Const", "Identity", "Identity_1", "Identity_2", "Identity_3", "Identity_5",
                     "Identity_4", "Identity_1_1", "foo", "Foo_1"]


def test_renamed_explicit_name_is_a_warning(spec_file):
    spec = load_spec(spec_file("nodes:\n  - {name: a, op: const, value: 1.0}\n"
                               "  - {name: a, op: const, value: 2.0}\n"))
    assert [w.render() for w in spec.warnings] == [
        f"{spec.path}:3:12: warning: name 'a' is taken; this node is named 'a_1'"]


def test_name_scopes_nest_and_reenter(spec_file):
    g = build(spec_file, """
  - name_scope: s
    nodes:
      - {name: i, op: const, value: 1.0}
      - name_scope: t
        nodes: [{name: i, op: const, value: 1.0}]
  - name_scope: s
    nodes: [{name: i, op: const, value: 1.0}]
  - name_scope: s/
    nodes:
      - {name: i, op: const, value: 1.0}
      - {name: j, op: identity, inputs: [i]}
  - {name: k, op: identity, inputs: [s/t/i]}
""")
    assert list(g.nodes) == ["s/i", "s/t/i", "s_1/i", "s/i_1", "s/j", "k"]
    assert str(g.nodes["s/j"].inputs[0]) == "s/i:0"      # innermost scope first


def test_literal_takes_dtype_of_sibling_and_defaults(spec_file):
    g = build(spec_file, """
  - {name: n, op: const, value: 3}
  - {name: f, op: const, value: 3.0}
  - {name: a, op: add, inputs: [n, 1]}
  - {name: b, op: add, inputs: [f, 1]}
  - {name: c, op: add, inputs: [2.5, f]}
""")
    assert g.nodes["n"].outputs[0].dtype == "int32"
    assert g.nodes["a/y"].outputs[0].dtype == "int32"
    assert g.nodes["b/y"].outputs[0].dtype == "float32"
    assert g.nodes["c/x"].outputs[0].dtype == "float32"


def test_multi_output_references(spec_file):
    g = build(spec_file, """
  - {name: a, op: const, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
  - {name: sp, op: split, inputs: [a], num_or_size_splits: 3}
  - {name: third, op: identity, inputs: ["sp:2"]}
""")
    assert len(g.nodes["sp"].outputs) == 3
    assert str(g.nodes["third"].inputs[0]) == "sp:2"


def test_forward_reference_and_alias_chain(spec_file):
    g = build(spec_file, """
  - {name: y, op: identity, inputs: [later]}
  - {name: later, alias: k}
  - {name: k, op: const, value: 4.0}
""")
    assert str(g.nodes["y"].inputs[0]) == "k:0"


def test_group_across_devices_makes_one_noop_per_device(spec_file):
    g = build(spec_file, """
  - {name: a, op: no_op, device: cpu:0}
  - {name: b, op: no_op, device: cpu:1}
  - {name: g, op: group, inputs: [a, b]}
""")
    assert ctrl(g, "g") == ["g/NoOp", "g/NoOp_1"]
    assert ctrl(g, "g/NoOp") == ["a"] and g.nodes["g/NoOp_1"].device == "cpu:1"


def test_nested_duplicate_dependency_adds_nothing_so_outer_domination_wins(spec_file):
    # TF keeps one set of current deps: an inner [n3] inside [n3] contributes nothing,
    # so a node dominated for the outer block gets no ^n3 at all (conformance seed 854)
    g = build(spec_file, """
  - {name: n3, op: no_op}
  - {name: c, op: const, value: [1.0]}
  - control_dependencies: [n3]
    nodes:
      - {name: n11, op: identity, inputs: [c]}
      - control_dependencies: [n3]
        nodes:
          - {name: z, op: identity, inputs: [n11]}
""")
    assert ctrl(g, "n11") == ["n3"]
    assert ctrl(g, "z") == []


def test_resource_assign_makes_a_lazy_read_like_tf(spec_file):
    g = build(spec_file, """
  - {name: x, op: variable, value: 0.0}
  - {name: d, op: no_op}
  - control_dependencies: [d]
    nodes: [{name: inc, op: assign_add, inputs: [x, 1.0]}]
""")
    assert ctrl(g, "ReadVariableOp") == ["d", "inc"]
    assert g.fetch_redirects["inc"].node == "ReadVariableOp"

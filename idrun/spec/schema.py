"""The spec's JSON schema (for editors: `# yaml-language-server: $schema=...`).

Generated from the op registry so it cannot drift from `idrun ops`;
`idrun schema` prints it and tests check that `idrun.schema.json` is current.
"""

from __future__ import annotations

from typing import Any

from idrun.ops import REGISTRY

_REF = {"type": "string", "description": "a reference: name, name:K or scope/name"}
_LITERAL = {"description": "a reference or a literal (number, bool, nested list)"}
_NAMES = {"type": "array", "items": {"type": "string"}}
_COLLECTION_DEF = {"type": "object", "required": ["collection"], "additionalProperties": False,
               "properties": {"collection": {"type": "string"}},
               "description": "tf.get_collection(NAME): the nodes added to the collection before this "
                              "entry, in order (UPDATE_OPS, LOSSES, TRAINABLE_VARIABLES, ... or any name)"}
_COLLECTION = {"$ref": "#/$defs/collection"}
_CONTROLS = {"$ref": "#/$defs/controls"}
_CONTROLS_DEF = {"type": "array", "items": {"anyOf": [{"type": "string"}, _COLLECTION]}}
_COLLECTIONS = {"$ref": "#/$defs/collections"}
_COLLECTIONS_DEF = {"type": "array", "items": {"type": "string"},
                "description": "tf.add_to_collections: add this node to these collections (UPDATE_OPS, "
                               "LOSSES, ... as tf.GraphKeys names them, or any name)"}
_COLOCATE = {"type": "boolean", "description": "place each op's gradient with the op (default false: "
                                              "where the entry is)"}
_VAR_LIST = {"anyOf": [_NAMES, _COLLECTION], "description": "the variables to train: names, or "
                                                        "{collection: NAME} (default: TRAINABLE_VARIABLES)"}
_RUN_NAMES = {"type": "array", "items": {"anyOf": [{"type": "string"}, _COLLECTION]},
              "description": "names, or {collection: NAME}: its members, as sess.run(tf.get_collection(NAME))"}
_HYPER = {"type": ["number", "string"], "description": "a number, or a tensor's name (an exponential_decay)"}
_OPTIMIZER = {"type": "object", "required": ["type"], "additionalProperties": False, "properties": {
    "type": {"enum": ["GradientDescent", "Momentum", "Adam", "RMSProp", "Adagrad"]},
    "learning_rate": _HYPER, "momentum": _HYPER, "use_nesterov": {"type": "boolean"},
    "beta1": _HYPER, "beta2": _HYPER, "epsilon": _HYPER, "decay": _HYPER,
    "initial_accumulator_value": {"type": "number"}, "name": {"type": "string"}}}


def _node_entry(op) -> dict:
    props: dict[str, Any] = {
        "op": {"const": op.name}, "name": {"type": "string"},
        "inputs": {"type": "array", "items": {"anyOf": [_LITERAL, _COLLECTION]}, "description": op.arity_text()},
        "device": {"type": ["string", "null"]}, "control_inputs": _CONTROLS, "collections": _COLLECTIONS,
        "colocate_with": {"type": "string", "description": "placed with this node (TF's _class loc:@x)"},
    }
    for a in op.attrs:
        if a.name not in props:   # a variable's `collections` is the entry's key
            props[a.name] = {"description": a.doc or f"attribute of {op.name}"}
    return {"type": "object", "description": op.doc, "properties": props,
            "required": ["op"] + [a.name for a in op.attrs if a.required],
            "additionalProperties": False}


def spec_schema() -> dict:
    """The JSON schema of an idrun spec file."""
    entry_ref = {"$ref": "#/$defs/entry"}
    defs = {
        "collection": _COLLECTION_DEF, "controls": _CONTROLS_DEF, "collections": _COLLECTIONS_DEF,
        "alias": {"type": "object", "required": ["name", "alias"], "additionalProperties": False,
                  "properties": {"name": {"type": "string"}, "alias": _REF},
                  "description": "a second name for a tensor; creates no node"},
        "block": {"type": "object", "required": ["nodes"], "additionalProperties": False,
                  "properties": {"nodes": {"type": "array", "items": entry_ref},
                                 "device": {"type": ["string", "null"]},
                                 "name_scope": {"type": ["string", "null"]},
                                 "control_dependencies": {"type": ["array", "null"],
                                                          "items": _CONTROLS_DEF["items"]}}},
        "use": {"type": "object", "required": ["use"], "additionalProperties": False,
                "description": "an instance of a template, under name_scope <name>",
                "properties": {"name": {"type": "string"}, "use": {"type": "string"},
                               "with": {"type": "object"}, "device": {"type": ["string", "null"]},
                               "control_dependencies": {"type": ["array", "null"]}}},
        "branch": {"type": "object", "additionalProperties": False,
                   "properties": {"nodes": {"type": "array", "items": entry_ref},
                                  "return": {"type": "array", "items": _REF}}},
        "cond": {"type": "object", "required": ["cond"], "additionalProperties": False,
                 "description": "tf.cond as TF 1.x builds it: a switch per tensor a branch reads, "
                                "the branches' nodes, a merge per result",
                 "properties": {"cond": _REF, "name": {"type": "string"}, "outputs": _NAMES,
                                "true_fn": {"$ref": "#/$defs/branch"},
                                "false_fn": {"$ref": "#/$defs/branch"}}},
        "loop_part": {"type": "object", "additionalProperties": False,
                      "properties": {"args": _NAMES, "nodes": {"type": "array", "items": entry_ref},
                                     "return": {"type": "array", "items": _REF}}},
        "while_loop": {"type": "object", "required": ["while_loop", "cond", "body"],
                       "additionalProperties": False,
                       "description": "tf.while_loop as TF 1.x builds it: Enter, Merge, the cond, "
                                      "LoopCond, Switch, Identity, the body, NextIteration, Exit",
                       "properties": {"while_loop": {"type": "array", "items": _REF,
                                                     "description": "the loop variables' initial values"},
                                      "name": {"type": "string"}, "outputs": _NAMES,
                                      "maximum_iterations": {"type": ["integer", "string"]},
                                      "parallel_iterations": {"type": "integer", "minimum": 1},
                                      "cond": {"$ref": "#/$defs/loop_part"},
                                      "body": {"$ref": "#/$defs/loop_part"}}},
        "gradients": {"type": "object", "required": ["gradients", "xs"], "additionalProperties": False,
                      "description": "tf.gradients(ys, xs, grad_ys, name) as TF 1.x's gradients_util builds "
                                     "it: gradients/grad_ys_0, gradients/<op>_grad/..., gradients/AddN",
                      "properties": {"gradients": {"anyOf": [_REF, {"type": "array", "items": _REF}],
                                                   "description": "ys"},
                                     "xs": {"anyOf": [_REF, {"type": "array", "items": _REF}]},
                                     "grad_ys": {"anyOf": [_REF, {"type": "array", "items": _REF}]},
                                     "name": {"type": "string"},
                                     "outputs": {**_NAMES, "description": "names for the gradients, one per x"},
                                     "colocate_gradients_with_ops": _COLOCATE}},
        "minimize": {"type": "object", "required": ["minimize", "optimizer"], "additionalProperties": False,
                     "description": "optimizer.minimize(loss, var_list, global_step, name): compute_gradients "
                                    "(gate_gradients=GATE_OP), then apply_gradients (slots and updates)",
                     "properties": {"minimize": _REF, "name": {"type": "string"},
                                    "var_list": _VAR_LIST, "global_step": _REF, "optimizer": _OPTIMIZER,
                                    "colocate_gradients_with_ops": _COLOCATE}},
        "batch_normalization": {
            "type": "object", "required": ["batch_normalization"], "additionalProperties": False,
            "description": "tf.compat.v1.layers.batch_normalization(x, training, momentum, epsilon, fused=True): "
                           "variables gamma, beta, moving_mean, moving_variance, FusedBatchNormV3 and (training) "
                           "the moving-average updates, in UPDATE_OPS; the name means the output",
            "properties": {"batch_normalization": _REF, "name": {"type": "string"},
                           "training": {"type": "boolean"}, "momentum": {"type": "number"},
                           "epsilon": {"type": "number"}, "fused": {"const": True}}},
        "compute_gradients": {"type": "object", "required": ["compute_gradients"], "additionalProperties": False,
                              "description": "optimizer.compute_gradients(loss, var_list): tf.gradients gated per "
                                             "op (GATE_OP) over the var_list (default: the trainable variables)",
                              "properties": {"compute_gradients": _REF, "var_list": _VAR_LIST,
                                             "colocate_gradients_with_ops": _COLOCATE,
                                             "outputs": {"type": "array", "items": {"type": ["string", "null"]},
                                                         "description": "names for the gradients, one per variable"}}},
        "apply_gradients": {"type": "object", "required": ["apply_gradients", "optimizer"],
                            "additionalProperties": False,
                            "description": "optimizer.apply_gradients(grads_and_vars, global_step, name): "
                                           "<name>/update_<var>/Apply..., then the global step's increment",
                            "properties": {"apply_gradients": {"type": "array", "items": {
                                               "type": "array", "minItems": 2, "maxItems": 2, "items": {
                                                   "anyOf": [_REF, {"type": "array", "items": _REF,
                                                                    "minItems": 3, "maxItems": 3}]}},
                                               "description": "[gradient, variable] pairs (a sparse "
                                                              "gradient: [values, indices, dense_shape])"},
                                           "name": {"type": "string"}, "global_step": _REF,
                                           "optimizer": _OPTIMIZER}},
        "exponential_decay": {"type": "object", "required": ["exponential_decay", "global_step", "decay_steps",
                                                             "decay_rate"], "additionalProperties": False,
                              "description": "tf.compat.v1.train.exponential_decay: learning_rate * decay_rate ^ "
                                             "(global_step / decay_steps), TF's nodes under the scope `name` "
                                             "(default ExponentialDecay), the result named `name`",
                              "properties": {"exponential_decay": {"type": "number",
                                                                   "description": "the initial learning rate"},
                                             "global_step": _REF, "decay_steps": {"type": "number"},
                                             "decay_rate": {"type": "number"}, "staircase": {"type": "boolean"},
                                             "name": {"type": "string"}}},
        "template": {"type": "object", "required": ["nodes"], "additionalProperties": False,
                     "properties": {"params": {"type": ["object", "array"]},
                                    "output": {"type": "string"}, "description": {"type": "string"},
                                    "nodes": {"type": "array", "items": {
                                        "type": "object",
                                        "description": "node entries; strings $param are substituted"}}}},
    }
    node_refs = []
    for op in REGISTRY.values():
        defs[f"op_{op.name}"] = _node_entry(op)
        node_refs.append({"$ref": f"#/$defs/op_{op.name}"})
    defs["entry"] = {"oneOf": node_refs + [{"$ref": "#/$defs/alias"}, {"$ref": "#/$defs/block"},
                                           {"$ref": "#/$defs/use"}, {"$ref": "#/$defs/cond"},
                                           {"$ref": "#/$defs/while_loop"}, {"$ref": "#/$defs/gradients"},
                                           {"$ref": "#/$defs/minimize"}, {"$ref": "#/$defs/compute_gradients"},
                                           {"$ref": "#/$defs/apply_gradients"},
                                           {"$ref": "#/$defs/exponential_decay"},
                                           {"$ref": "#/$defs/batch_normalization"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "idrun graph spec", "type": "object", "required": ["nodes"],
        "additionalProperties": False, "$defs": defs,
        "properties": {
            "name": {"type": "string"}, "description": {"type": "string"},
            "variables": {"enum": ["resource", "ref"]},
            "expand": {"type": "boolean", "description": "false: every entry is one node, as in a "
                       "GraphDef (idrun import); nothing TF's Python adds is made"},
            "devices": {"type": "array", "items": {"type": "string"}},
            "templates": {"type": "object", "additionalProperties": {"$ref": "#/$defs/template"}},
            "nodes": {"type": "array", "items": entry_ref},
            "run": {"type": "object", "additionalProperties": False, "properties": {
                "fetch": _RUN_NAMES, "targets": _RUN_NAMES, "feed": {"type": "object"},
                "steps": {"type": "integer", "minimum": 0}, "init": {
                    "anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}],
                    "description": "false: no initialization; a list: also run these ops once "
                                   "before step 1 (an imported graph's initializers)"}}},
            "collections": {"type": "object", "description": "TF's graph collections (a MetaGraphDef's, "
                            "idrun import): name -> node or tensor names, added after the entries' own",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "expect": {"type": "object", "description": "tensor -> one value per step; "
                       "transfers_per_step -> a count or a list of counts"},
        },
    }

"""Static analysis of a built, placed and partitioned spec: `idrun check` and `idrun explain`.

Each rule is one function `rule(facts) -> list[Diagnostic]` in a small module:
- `blocks`: alias-under-control, empty-control-block, dropped-control-input (from the
  builder's `graph.provenance`);
- `effects`: never-runs, update-ops-not-run, unused (what the step's fetches and targets reach),
  no-gradient (a variable a `minimize` entry never updates);
- `control_flow`: op-outside-cond (the tf.cond pitfall), and where a node is for `explain`;
- `races`: unordered-read-write (reachability with bitsets, one pass each way);
- `transfers`: repeated-transfer (the step's partition);
- `schedules`: the `--schedules K` proof, K random legal orders through the Pipeline.
`facts.Facts` computes what several rules share, once. Nothing here prints or imports rich;
views/check.py renders. Messages name nodes and locations and say the fix.
"""

from __future__ import annotations

from idrun.analysis.diagnostic import SEVERITIES, Diagnostic, Note, at_or_above
from idrun.analysis.facts import Facts

__all__ = ["Diagnostic", "Note", "SEVERITIES", "at_or_above", "Facts", "RULES", "RULE_DOCS", "RULE_HELP",
           "RULE_TITLES", "SPEC_DOCS", "SPEC_RULES", "check_pipeline"]


def _rules():
    from idrun.analysis import blocks, control_flow, effects, races, transfers
    return [blocks.alias_under_control, blocks.empty_control_block, effects.never_runs,
            effects.update_ops_not_run, effects.no_gradient, control_flow.op_outside_cond, races.unordered_read_write,
            transfers.repeated_transfer, blocks.dropped_control_input, effects.unused]


RULES = {
    "alias-under-control": "warning",
    "empty-control-block": "warning",
    "never-runs": "warning",
    "update-ops-not-run": "warning",
    "no-gradient": "warning",
    "op-outside-cond": "warning",
    "unordered-read-write": "warning",
    "repeated-transfer": "warning",
    "dropped-control-input": "info",
    "unused": "info",
}

RULE_DOCS = {
    "alias-under-control": "An alias entry inside a control_dependencies block creates no node, "
                           "so the block's dependencies attach to nothing for that name.",
    "empty-control-block": "A control_dependencies block (or control_inputs) gives its "
                           "dependencies to no node.",
    "never-runs": "A stateful op (assign, EMA, assert, print, queue) that the run's fetches and "
                  "targets never reach.",
    "update-ops-not-run": "A member of the UPDATE_OPS collection that the run's fetches and targets never "
                          "reach: the moving averages it updates never change.",
    "no-gradient": "A variable in a minimize entry's var_list that no gradient from the loss "
                   "reaches: the optimizer never updates it (TF skips it silently).",
    "op-outside-cond": "A stateful op or a control dependency made outside a tf.cond but used only "
                       "inside one branch: it runs on every step, whatever the predicate.",
    "unordered-read-write": "A read and a write of one variable in one step with no data or "
                            "control path between them: the value depends on op order.",
    "repeated-transfer": "The same variable value crosses to one device more than once per step.",
    "dropped-control-input": "TF's pruning drops a control input (dominated by a data input made "
                             "in the same block, already a data input, or held by an enclosing block).",
    "unused": "A node that nothing in the run needs and that has no effect.",
}


# What `idrun check` reports besides the rules: a spec that does not build, and what the
# builder, the request or placement warns about while it builds (a renamed explicit name,
# a missing device with --soft-placement, a fed variable).
SPEC_RULES = {"spec-error": "error", "spec-warning": "warning"}

SPEC_DOCS = {
    "spec-error": "The spec could not be loaded, built, placed or partitioned for its run (a YAML "
                  "mistake, an unknown op, a shape or dtype error, an unknown fetch, a missing device).",
    "spec-warning": "The spec builds, but not exactly as written: an explicit name already taken "
                    "(the node gets a suffix), a missing device with --soft-placement, a fed variable.",
}

# A title per rule (SARIF's shortDescription, GitHub's alert title), and how to fix what it
# reports (SARIF's help): the message of each diagnostic says the fix for its own nodes.
RULE_TITLES = {
    "alias-under-control": "An alias inside a control_dependencies block waits for nothing",
    "empty-control-block": "A control_dependencies block gives its dependencies to no node",
    "never-runs": "A stateful op that the run never reaches",
    "update-ops-not-run": "An UPDATE_OPS member that the run never reaches",
    "no-gradient": "A variable of a minimize entry that no gradient reaches",
    "op-outside-cond": "A stateful op made outside a cond but used only in one branch",
    "unordered-read-write": "A read and a write of one variable with no order between them",
    "repeated-transfer": "A variable value crosses to one device more than once per step",
    "dropped-control-input": "TF's pruning drops a control input",
    "unused": "A node that the run does not need and that has no effect",
    "spec-error": "The spec does not build",
    "spec-warning": "The spec builds, with a warning",
}

RULE_HELP = {
    "alias-under-control": "Make the name an op created inside the block instead of an alias: "
                           "`{name: y, op: identity, inputs: [x]}` under `control_dependencies: [inc]` "
                           "reads `x` after `inc` runs.",
    "empty-control-block": "Create the ops that must run after the dependencies inside the block (for "
                           "a value, an `op: identity` of it). Variables are made in TF's init_scope, "
                           "outside control dependencies, so a block of only variables orders nothing.",
    "never-runs": "Make the op part of the run: add it to `run.targets` (or `--target NAME`), or read "
                  "its effect through `control_dependencies: [NAME]` with an `op: identity` inside; "
                  "or remove it if it is not needed.",
    "update-ops-not-run": "Build the train op under `control_dependencies` on the UPDATE_OPS collection "
                          "(TF1: `with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): "
                          "train_op = opt.minimize(loss)`), or add the update ops to `run.targets`.",
    "no-gradient": "Make the loss depend on the variable through ops that have a gradient, or leave "
                   "the variable out of the minimize entry's `var_list`.",
    "op-outside-cond": "Create the stateful op (or the control dependency) inside the branch that uses "
                       "it, under that branch's nodes, so that it runs only when that branch is taken.",
    "unordered-read-write": "Order the read and the write: read after the write with an `op: identity` "
                            "made under `control_dependencies: [WRITE]`, read before it by giving the "
                            "write `control_inputs: [READ]`, or run the write in a step of its own. "
                            "`idrun check --schedules K` shows the values each order gives.",
    "repeated-transfer": "Read the variable once on the destination device "
                         "(`{name: x_local, op: identity, inputs: [x], device: DEST}`) and use that "
                         "read in every consumer there.",
    "dropped-control-input": "The order is kept (the node still runs after what it depended on); only "
                             "the listed control input is redundant. Remove it from `control_inputs` "
                             "(or the block), or leave it: TF drops it the same way.",
    "unused": "Fetch the node (`--fetch NAME`) if you meant to see it, or remove it.",
    "spec-error": "Fix the spec at the location given: the message says what is wrong and, where it "
                  "can, what was meant.",
    "spec-warning": "Change the spec so that it builds as written (pick an unused name, name an "
                    "existing device), or leave it if the warning describes what you want.",
}


def check_pipeline(pipeline) -> list[Diagnostic]:
    """Every rule on one spec's pipeline (build, place, partition; nothing runs)."""
    facts = Facts(pipeline)
    out: list[Diagnostic] = []
    for rule in _rules():
        out.extend(rule(facts))
    out.sort(key=lambda d: (d.loc.file, d.loc.line, d.loc.col, d.code))
    return out

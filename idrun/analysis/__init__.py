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

__all__ = ["Diagnostic", "Note", "SEVERITIES", "at_or_above", "Facts", "RULES", "check_pipeline"]


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


def check_pipeline(pipeline) -> list[Diagnostic]:
    """Every rule on one spec's pipeline (build, place, partition; nothing runs)."""
    facts = Facts(pipeline)
    out: list[Diagnostic] = []
    for rule in _rules():
        out.extend(rule(facts))
    out.sort(key=lambda d: (d.loc.file, d.loc.line, d.loc.col, d.code))
    return out

"""Run by the TF python from bench/cifar10_multi_gpu.py: the program `idrun export --format
tf-python` wrote for the two-tower CIFAR-10 spec, timed with TF Session.run.

`tf_cifar10_multi_gpu.py PROGRAM STEPS`: build the program's graph (its devices are local CPUs,
grappler off, as the conformance check runs it), initialize (global_variables_initializer, then
run.init's ops), run one step to warm up, then time STEPS steps of [fetches + targets] and print
a JSON {"per_step": seconds (median), "loss": the first fetch after the warm-up step}.
"""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def main(program: str, steps: int) -> None:
    source = open(program).read()
    scope = {"__name__": "exported_program"}   # builds the graph; main() is not called
    exec(compile(source, program, "exec"), scope)
    tf1, g, T, OP, OUT = (scope[k] for k in ("tf1", "g", "T", "OP", "OUT"))
    names = json.loads(os.environ["BENCH_FETCH"])
    fetches = [OUT(T[n], 0) for n in names["fetch"]] + [OP(T[n]) for n in names["targets"]]
    with g.as_default(), tf1.Session(graph=g, config=scope["config"]()) as sess:
        sess.run(tf1.global_variables_initializer())
        for name in names["init"]:
            sess.run(OP(T[name]))
        first = sess.run(fetches)[0]
        samples = []
        for _ in range(steps):
            t = time.perf_counter()
            sess.run(fetches)
            samples.append(time.perf_counter() - t)
        per_op = {}
        if os.environ.get("BENCH_PROFILE"):   # TF's own per-kernel times (step stats), 3 steps
            for _ in range(3):
                md = tf1.RunMetadata()
                sess.run(fetches, options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), run_metadata=md)
                for dev in md.step_stats.dev_stats:
                    for node in dev.node_stats:
                        kind = node.timeline_label.split("(")[0].split(" = ")[-1].strip() or node.node_name
                        per_op[kind] = per_op.get(kind, 0.0) + node.all_end_rel_micros / 1e3 / 3
    print(json.dumps({"per_step": statistics.median(samples), "loss": float(first), "per_op": per_op}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

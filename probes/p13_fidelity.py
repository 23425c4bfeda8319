"""Probe 13: fidelity checks (name resolution, shuffle_batch shapes, ref edges,
explicit ref reads, assign to uninitialized variables, embedding_lookup
placement, the Identity placement rule's raw device-string comparison).

Run:  .venv-tf/bin/python probes/p13_fidelity.py 2>/dev/null
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import tf, tf1, header, session, run_traced, placement, transfers  # noqa: E402


def err(ex, label=""):
    lines = [l.strip() for l in str(getattr(ex, "message", ex)).splitlines() if l.strip()]
    first = lines[0] if lines else ""
    # TF2 runtime errors start with "Graph execution error:" and a traceback;
    # the first line of the actual op message comes after the "Node: '...'" line
    skip = ("Graph execution error", "Detected at node", "File ", "Node:", "[[")
    core = next((l for l in lines if not l.startswith(skip)), first)
    node = next((l for l in lines if l.startswith("Node:")), "")
    print(f"  [{label}] ERROR {type(ex).__name__}: {first[:300]}")
    if core != first:
        print(f"  [{label}]       {node}  message: {core[:300]}")


def show_sends(md, label):
    sends, _ = transfers(md)
    names = [s[1] for s in sends]
    print(f"  [{label}] _Send/step={len(sends)} tensors={names}")
    for s in sends:
        print(f"      {s[0]:9s} {s[1]:40s} {s[2]}->{s[3]}  input={s[4]}")
    return sends


def show_place(md, names, label=""):
    pl = placement(None, md)
    for k in names:
        print(f"      placed {k:40s} -> {pl.get(k, '-')}")
    return pl


def run_steps(g, fetches, names, label, steps=1, init=True):
    """Run `steps` traced steps; print values, placement (after step 1) and transfers."""
    with session(g) as s:
        if init:
            with g.as_default():
                vs = tf1.global_variables()
                if vs:
                    s.run(tf1.variables_initializer(vs))
        for step in range(1, steps + 1):
            out, md = run_traced(s, fetches)
            print(f"  [{label}] step {step} values={out}")
            if step == 1:
                show_place(md, names, label)
            show_sends(md, f"{label} step {step}")


def section(title):
    def deco(fn):
        header(title)
        try:
            fn()
        except Exception as ex:  # keep going
            err(ex, "section")
        return fn
    return deco


# ---------------------------------------------------------------------------
@section("13.1 reference resolution: y rebound inside name_scope('inner')")
def s1():
    g = tf1.Graph()
    with g.as_default():
        y = tf.constant(1.0, name="y")
        with tf1.name_scope("inner"):
            y = tf.add(y, 1.0, name="y")
    print(f"  new op name={y.op.name!r} type={y.op.type} inputs={[t.name for t in y.op.inputs]}")
    with session(g) as s:
        print("  value:", s.run(y))


# ---------------------------------------------------------------------------
@section("13.2 tf.train.shuffle_batch static and runtime shapes")
def s2():
    for enqueue_many in (False, True):
        g = tf1.Graph()
        with g.as_default():
            if enqueue_many:
                img = tf.constant([[float(i), float(i) + 0.1, float(i) + 0.2] for i in range(6)], name="img")
                lab = tf.constant(list(range(6)), dtype=tf.int32, name="lab")
            else:
                img = tf.constant([1.0, 2.0, 3.0], name="img")
                lab = tf.constant(7, dtype=tf.int32, name="lab")
            ib, lb = tf1.train.shuffle_batch([img, lab], batch_size=2, capacity=10,
                                             min_after_dequeue=2, seed=1,
                                             enqueue_many=enqueue_many)
            print(f"  enqueue_many={enqueue_many}: inputs img{img.shape.as_list()} lab{lab.shape.as_list()}"
                  f" -> static outputs {ib.shape.as_list()} {lb.shape.as_list()}"
                  f"  (names {ib.name}, {lb.name}; dequeue op type {ib.op.type})")
            qrs = g.get_collection(tf1.GraphKeys.QUEUE_RUNNERS)
            print(f"    queue runners: {[q.name for q in qrs]}")
        with session(g) as s:
            coord = tf1.train.Coordinator()
            threads = tf1.train.start_queue_runners(sess=s, coord=coord)
            try:
                iv, lv = s.run([ib, lb])
                print(f"    dequeued shapes {list(iv.shape)} {list(lv.shape)} labels={lv.tolist()}")
            finally:
                coord.request_stop()
                # closing the queue lets enqueue threads blocked on a full queue exit
                s.run(g.get_collection(tf1.GraphKeys.QUEUE_RUNNERS)[0].cancel_op)
                coord.join(threads, stop_grace_period_secs=5)
            print(f"    coordinator stopped cleanly: should_stop={coord.should_stop()}")


# ---------------------------------------------------------------------------
@section("13.3 assign_add output (ref vs resource) on CPU:1, two consumers on CPU:0 + fetch")
def s3():
    for use_resource in (False, True):
        g = tf1.Graph()
        with g.as_default():
            with tf.device("/cpu:1"):
                v = tf1.Variable([1.0, 2.0], use_resource=use_resource, name="v")
                a = tf1.assign_add(v, [1.0, 1.0], name="a")
            with tf.device("/cpu:0"):
                c1 = tf.multiply(a, 2.0, name="c1")
                c2 = tf.add(a, 1.0, name="c2")
        print(f" use_resource={use_resource}: a={a.name} dtype={a.dtype!r} op.type={a.op.type} "
              f"op.device={a.op.device!r}")
        names = [op.name for op in g.get_operations()]
        for op in g.get_operations():
            if op.type in ("ReadVariableOp", "AssignAdd", "AssignAddVariableOp"):
                print(f"    {op.name:24s} {op.type:20s} dev={op.device!r} coloc={op.colocation_groups()} "
                      f"in={[t.name for t in op.inputs]} ctrl={[c.name for c in op.control_inputs]}")
        print(f"    consumers: c1 in={[t.name for t in c1.op.inputs]} c2 in={[t.name for t in c2.op.inputs]}"
              f"  fetched a -> {getattr(a, 'name', a)}")
        run_steps(g, [c1, c2, a], names, f"res={use_resource}", steps=2)


# ---------------------------------------------------------------------------
@section("13.4 explicit reads of a ref variable on CPU:1 (identity / read_value / value)")
def s4():
    g0 = None
    variants = ("r1 identity(v._variable)", "r2 v.read_value()", "r3 v.value()")
    for k, title in enumerate(variants, 1):
        g = tf1.Graph()
        with g.as_default():
            with tf.device("/cpu:1"):
                v = tf1.Variable([1.0, 2.0], use_resource=False, name="v")
            if k == 1:
                r = tf.identity(v._variable, name="r1")
            elif k == 2:
                r = v.read_value()
            else:
                r = v.value()
            with tf.device("/cpu:0"):
                m = tf.multiply(r, 2.0, name="m")
        print(f" {title}: r={r.name} dtype={r.dtype!r} type={r.op.type} op.device={r.op.device!r} "
              f"colocation_groups={r.op.colocation_groups()}")
        run_steps(g, [m], ["v", r.op.name, "m"], f"r{k}")
    # the two asked-for colocation prints, side by side in one graph
    g = tf1.Graph()
    with g.as_default():
        with tf.device("/cpu:1"):
            v = tf1.Variable([1.0, 2.0], use_resource=False, name="v")
        r1 = tf.identity(v._variable, name="r1")
        r2 = v.read_value()
        r3 = v.value()
    print(f"  r1.op.colocation_groups()={r1.op.colocation_groups()}  device={r1.op.device!r}")
    print(f"  r2.op.colocation_groups()={r2.op.colocation_groups()}  device={r2.op.device!r} name={r2.name}")
    print(f"  r3.op.colocation_groups()={r3.op.colocation_groups()}  device={r3.op.device!r} name={r3.name}")


# ---------------------------------------------------------------------------
@section("13.5 assign / assign_add / read on an uninitialized variable")
def s5():
    for use_resource in (False, True):
        lab = f"res={use_resource}"
        # (a) assign first, then read
        g = tf1.Graph()
        with g.as_default():
            v = tf1.Variable([1.0, 2.0], use_resource=use_resource, name="v")
            asg = tf1.assign(v, [5.0, 6.0])
            rd = v.read_value()
        with session(g) as s:
            try:
                r = s.run(asg)
                print(f"  [{lab}] assign on uninit: ok, returned {r}")
                print(f"  [{lab}] read after assign: {s.run(rd)}")
            except Exception as ex:
                err(ex, f"{lab} assign")
        # (b) assign_add on uninit
        g = tf1.Graph()
        with g.as_default():
            v = tf1.Variable([1.0, 2.0], use_resource=use_resource, name="v")
            aa = tf1.assign_add(v, [1.0, 1.0])
        with session(g) as s:
            try:
                print(f"  [{lab}] assign_add on uninit: ok {s.run(aa)}")
            except Exception as ex:
                err(ex, f"{lab} assign_add")
        # (c) read before any assign
        g = tf1.Graph()
        with g.as_default():
            v = tf1.Variable([1.0, 2.0], use_resource=use_resource, name="v")
            rd = v.read_value()
            m = tf.multiply(v, 2.0)  # plain use of the variable as a tensor
        with session(g) as s:
            for what, t in (("read_value", rd), ("multiply(v)", m)):
                try:
                    print(f"  [{lab}] {what} on uninit: ok {s.run(t)}")
                except Exception as ex:
                    err(ex, f"{lab} {what}")


# ---------------------------------------------------------------------------
@section("13.6 embedding_lookup on a table variable on CPU:1")
def s6():
    for use_resource in (True, False):
        for where in ("unscoped", "cpu0"):
            lab = f"res={use_resource} {where}"
            g = tf1.Graph()
            with g.as_default():
                with tf.device("/cpu:1"):
                    table = tf1.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="table",
                                         use_resource=use_resource)
                before = {op.name for op in g.get_operations()}
                if where == "cpu0":
                    with tf.device("/cpu:0"):
                        e = tf.nn.embedding_lookup(table, [2, 0], name="emb")
                else:
                    e = tf.nn.embedding_lookup(table, [2, 0], name="emb")
                created = [op for op in g.get_operations() if op.name not in before]
                with tf.device("/cpu:0"):
                    m = tf.multiply(e, 2.0, name="m")
            print(f" {lab}: e={e.name} op={e.op.name} type={e.op.type}")
            for op in created:
                print(f"    created {op.name:28s} {op.type:16s} dev={op.device!r:16s} "
                      f"coloc={op.colocation_groups()} in={[t.name for t in op.inputs]}")
            run_steps(g, [m], ["table"] + [op.name for op in created] + ["m"], lab)


# ---------------------------------------------------------------------------
@section("13.7 Identity placement rule: requested device strings compared raw")
def s7():
    variants = (("A", "/device:CPU:1"),
                ("B", "/job:localhost/replica:0/task:0/device:CPU:1"),
                ("C", "/cpu:1"))
    for lab, cdev in variants:
        g = tf1.Graph()
        with g.as_default():
            x = tf.constant([1.0, 2.0], name="x")
            with tf.device("/device:CPU:1"):
                a = tf.add(x, 1.0, name="a")
            i = tf.identity(a, name="i")
            with tf.device(cdev):
                c = tf.multiply(i, 2.0, name="c")
        print(f" variant {lab}: requested a={a.op.device!r} i={i.op.device!r} c={c.op.device!r}")
        run_steps(g, [c], ["x", "a", "i", "c"], lab)

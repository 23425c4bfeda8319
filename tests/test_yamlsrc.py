"""The YAML loader (idrun/spec/yamlsrc.py): values, locations and errors of the located tree.

The tree is built from libyaml's events; `_load_composed` (compose, then walk the nodes)
is the older way and states what the result must be, errors included: the two are
compared on a generated corpus below.
"""

from __future__ import annotations

import math
import random
import re

import pytest

from idrun.errors import SourceLoc, SpecError
from idrun.spec import yamlsrc
from idrun.spec.yamlsrc import YList, YMap, key_loc, load_yaml, loc_of


def load(text: str):
    return load_yaml(text, "f.yaml")


def error(text: str) -> tuple[str, str]:
    with pytest.raises(SpecError) as info:
        load(text)
    return info.value.message, str(info.value.loc)


def L(line: int, col: int) -> SourceLoc:
    return SourceLoc("f.yaml", line, col)


# ---- values and locations -------------------------------------------------------

def test_every_key_value_and_item_is_located():
    doc = load("a: 1\nbb:\n  - x\n  - {k: [2, 3]}\n")
    assert doc == {"a": 1, "bb": ["x", {"k": [2, 3]}]}
    assert type(doc) is YMap and doc.loc == L(1, 1)
    assert key_loc(doc, "bb") == L(2, 1) and doc.key_locs["bb"] == L(2, 1)
    assert loc_of(doc, "a") == L(1, 4) and doc.value_locs["a"] == L(1, 4)
    items = doc["bb"]
    assert type(items) is YList and items.loc == L(3, 3) == loc_of(doc, "bb")
    assert [loc_of(items, i) for i in range(2)] == [L(3, 5), L(4, 5)]
    assert list(items.item_locs) == [L(3, 5), L(4, 5)] and items.item_locs[1:] == [L(4, 5)]
    inner = items[1]
    assert inner.loc == L(4, 5) and loc_of(inner, "k") == L(4, 9) and inner["k"].item_locs[1] == L(4, 13)
    assert dict(doc.key_locs.items()) == {"a": L(1, 1), "bb": L(2, 1)} == doc.key_locs.copy()
    assert list(doc.value_locs.values()) == [L(1, 4), L(3, 3)] and len(doc.value_locs) == 2


def test_missing_key_or_index_falls_back_to_the_container():
    doc = load("a: [1]\n")
    assert loc_of(doc, "zz") == L(1, 1) and key_loc(doc, "zz") == L(1, 1)
    assert doc.value_locs.get("zz") is None and "zz" not in doc.key_locs
    assert loc_of(doc["a"], 5) == L(1, 4) and loc_of(doc["a"], "x") == L(1, 4)
    assert loc_of(3, "x") is None and loc_of(3, "x", L(9, 9)) == L(9, 9)


def test_assigned_locations_replace_the_packed_ones():
    """As builder.py's blocks and templates.py's copies do."""
    doc = load("a: 1\nb: [x]\n")
    block = YMap(nodes=doc["b"], extra=1)
    block.loc, block.key_locs = L(7, 1), {}
    block.value_locs = {"nodes": L(7, 2)}
    block.value_locs["extra"] = L(7, 3)
    assert loc_of(block, "nodes") == L(7, 2) and loc_of(block, "extra") == L(7, 3)
    assert loc_of(block, "zz") == L(7, 1) and key_loc(block, "nodes") == L(7, 1)
    copy = YMap(doc)
    copy.loc, copy.key_locs, copy.value_locs = doc.loc, doc.key_locs, doc.value_locs
    assert loc_of(copy, "b") == L(2, 4) and key_loc(copy, "b") == L(2, 1)
    items = YList(doc["b"])
    items.loc, items.item_locs = doc["b"].loc, doc["b"].item_locs
    assert loc_of(items, 0) == L(2, 5) and items.loc == L(2, 4)
    items.item_locs = [L(8, 8)]
    assert loc_of(items, 0) == L(8, 8)


def test_plain_scalars_follow_yaml_1_2_and_quoted_ones_are_strings():
    doc = load("a: 017\nb: 0o17\nc: 0x1F\nd: 1e-3\ne: yes\nf: ~\ng: .inf\nh: -.Inf\ni: .nan\n"
               "j: '1'\nk: |\n  2\nl: TRUE\nm: null\nn: Null x\no: nothing\np: +5\nq: .5\nr: 5.\n")
    assert [doc[k] for k in "abcdefghjklmnopqr"] == [17, 15, 31, 0.001, "yes", None, math.inf, -math.inf,
                                                     "1", "2\n", True, None, "Null x", "nothing", 5, 0.5, 5.0]
    assert math.isnan(doc["i"])


def _reference_resolve(text):  # resolve_plain before its fast paths, regexes only
    P = yamlsrc
    for pattern, value in ((P._NULL, lambda t: None), (None, None), (P._INT, lambda t: int(t, 10)),
                           (P._OCT, lambda t: int(t[2:], 8)), (P._HEX, lambda t: int(t[2:], 16)),
                           (P._FLOAT, float), (P._INF, lambda t: float("-inf") if t.startswith("-") else float("inf")),
                           (P._NAN, lambda t: float("nan"))):
        if pattern is None:
            if text in P._BOOL:
                return P._BOOL[text]
        elif pattern.match(text):
            return value(text)
    return text


def test_resolve_plain_fast_paths_agree_with_the_rules():
    rng = random.Random(3)
    alphabet = "nNtTfFulreasxo0123456789.+-_~eE \n"
    texts = ["", "~", "null", "Null", "NULL", "null\n", "nul", "true", "True", "TRUE", "tRUE", "false\n",
             "False", "FALSE", "n0", "no", "off", "0o7", "0x_", ".NaN", ".nan\n", "-.inf", "+.INF", "1_0"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(20000)]
    for text in texts:
        got, want = yamlsrc.resolve_plain(text), _reference_resolve(text)
        assert type(got) is type(want) and (got == want or (got != got and want != want)), text


# ---- aliases and merge keys -------------------------------------------------------

def test_aliases_in_mappings_and_lists_are_fresh_copies_located_at_their_anchor():
    doc = load("base: &b {x: 1, l: [p, q]}\nlist: &l [*b, 2]\nuse:\n  one: *b\n  two: [*l, *b]\n")
    assert doc["use"] == {"one": {"x": 1, "l": ["p", "q"]}, "two": [[doc["base"], 2], doc["base"]]}
    one = doc["use"]["one"]
    assert one is not doc["base"] and one["l"] is not doc["base"]["l"]
    assert doc["use"]["two"][0][0] is not one and doc["use"]["two"][0] is not doc["list"]
    one["l"].append("r")
    one["x"] = 5
    assert doc["base"] == {"x": 1, "l": ["p", "q"]} and doc["list"][0] == {"x": 1, "l": ["p", "q"]}
    # an alias stands where its anchored node is, as the composed node it shares did
    assert loc_of(doc["use"], "one") == L(1, 7) == doc["base"].loc == one.loc
    assert loc_of(one, "l") == L(1, 20) and one["l"].item_locs[1] == L(1, 24)
    assert loc_of(doc["use"]["two"], 0) == L(2, 7) and loc_of(doc["use"]["two"], 1) == L(1, 7)
    assert type(one) is YMap and type(doc["use"]["two"][0]) is YList


def test_alias_to_a_scalar_and_as_a_key():
    assert error("a: &n 12\nb: [*n, *n]\n&k kk: 1\n*k : 2\n") == ("duplicate key 'kk' (first at line 3)", "f.yaml:3:1")
    doc = load("a: &n 12\nb: [*n, *n]\nc: &s 'x y'\n*s : 3\n")
    assert doc == {"a": 12, "b": [12, 12], "c": "x y", "x y": 3}
    assert loc_of(doc["b"], 1) == L(1, 4) and key_loc(doc, "x y") == L(3, 4)


def test_merge_key_is_an_ordinary_key():
    """`<<` is not merged: the resolver is off, so it is the string '<<' like any other."""
    doc = load("base: &b {x: 1}\nd:\n  <<: *b\n  x: 2\n")
    assert doc["d"] == {"<<": {"x": 1}, "x": 2} and key_loc(doc["d"], "<<") == L(3, 3)


def test_undefined_and_duplicate_anchors_are_malformed():
    assert error("a: *nope\n") == ("malformed YAML: found undefined alias", "f.yaml:1:4")
    assert error("a: &x 1\nb: &x 2\n") == ("malformed YAML: second occurrence", "f.yaml:2:4")


def test_an_alias_inside_its_own_anchor_is_refused():
    # walking the cycle the composed node makes, depth 201 falls on the 1
    assert error("a: &x [1, *x]\n") == ("YAML nested too deeply (over 200 levels)", "f.yaml:1:8")
    message, _ = error("&x {k: [*x]}\n")
    assert message == "YAML nested too deeply (over 200 levels)"


def test_aliases_count_each_time_they_are_used(monkeypatch):
    monkeypatch.setattr(yamlsrc, "MAX_VALUES", 16)
    assert load("a: &a [1, 2, 3]\nb: [*a, *a]\n")["b"] == [[1, 2, 3], [1, 2, 3]]  # 16 values
    over = "the document holds over 16 values (mappings, keys, list items and scalars; an alias counts each time it is used)"
    assert error("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n") == (over, "f.yaml:1:4")  # the third [1, 2, 3]
    assert error("a: &a [1, 2, 3]\nb: [*a, *a, 9, *a]\n") == (over, "f.yaml:2:13")
    assert error("[" + ", ".join(map(str, range(1, 18))) + "]\n") == (over, "f.yaml:1:53")  # the 16
    monkeypatch.setattr(yamlsrc, "MAX_VALUES", 18)  # inside an expansion: the 2 of the third [1, 2, 3]
    assert error("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n") == (over.replace("16", "18"), "f.yaml:1:11")


def test_billion_laughs_stops_at_the_value_limit():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    message, _ = error("\n".join(lines) + "\n")
    assert message == ("the document holds over 2,000,000 values (mappings, keys, list items and "
                       "scalars; an alias counts each time it is used)")


# ---- errors and their order ---------------------------------------------------------

def test_duplicate_and_non_scalar_keys():
    assert error("a: 1\nb: 2\n'a': 3\n") == ("duplicate key 'a' (first at line 1)", "f.yaml:3:1")
    assert error("1: x\n1.0: y\n") == ("duplicate key '1.0' (first at line 1)", "f.yaml:2:1")
    assert error("x: 1\n? [a, b]\n: 1\n") == ("a mapping key must be a scalar", "f.yaml:2:3")
    assert error("k: &k {a: 1}\n*k : 2\n") == ("a mapping key must be a scalar", "f.yaml:1:4")


def test_tags():
    doc = load("a: !!str 1\nb: !!float 1\nc: !!int '7'\nd: ! 12\ne: ! '12'\nf: !!map {x: 1}\ng: !!seq [1]\n"
               "h: !<tag:yaml.org,2002:str> 5\n")
    assert doc == {"a": "1", "b": 1.0, "c": 7, "d": 12, "e": "12", "f": {"x": 1}, "g": [1], "h": "5"}
    assert type(doc["b"]) is float
    assert error("nodes:\n  - !!python/object/apply:os.system [ls]\n") == (
        "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (idrun loads YAML safely)",
        "f.yaml:2:5")
    assert error("a: !foo x\n") == ("tag '!foo' is not allowed (idrun loads YAML safely)", "f.yaml:1:4")


def test_depth_limit_is_located_at_any_depth():
    assert error("[" * 202 + "]" * 202 + "\n") == ("YAML nested too deeply (over 200 levels)", "f.yaml:1:202")
    assert load("[" * 201 + "]" * 201 + "\n") is not None
    # in block style too, and past what compose could recurse through: still the node at depth 201
    text = "".join("  " * i + "-\n" for i in range(900))
    assert error(text) == ("YAML nested too deeply (over 200 levels)", "f.yaml:202:403")
    text = "".join(" " * i + "k:\n" for i in range(900)) + " " * 900 + "v\n"
    assert error(text) == ("YAML nested too deeply (over 200 levels)", "f.yaml:201:201")
    # libyaml's own limit is a YAML error, reported first
    text = "".join("  " * i + "-\n" for i in range(3000))
    assert error(text) == ("malformed YAML: exceeded maximum nesting depth", "f.yaml:1000:1999")


def test_malformed_yaml_is_located():
    assert error("nodes:\n  - {name: a, op: const\n") == (
        "malformed YAML: did not find expected ',' or '}' here (the flow mapping started at 2:5; "
        "the next token is the end of the file)", "f.yaml:2:24")
    assert error("a: 'x\n") == ("malformed YAML: found unexpected end of stream (the quoted scalar "
                                "started at 1:4 is not closed)", "f.yaml:1:4")


def test_a_yaml_error_anywhere_comes_before_a_tree_error():
    """Composing finds YAML errors before the tree is walked; so does the event loader."""
    assert error("a: 1\na: 2\nb: [1\n")[0].startswith("malformed YAML: did not find expected")
    assert error("a: 1\na: 2\nb: *undefined\n") == ("malformed YAML: found undefined alias", "f.yaml:3:4")
    assert error("a: !foo 1\nb: &x 1\nc: &x 2\n") == ("malformed YAML: second occurrence", "f.yaml:3:4")
    assert error("a: 1\na: 2\n---\nb: 1\n") == ("malformed YAML: but found another document", "f.yaml:3:1")


def test_documents():
    assert load("") is None and load("# nothing\n") is None and load("---\n") is None
    assert load("--- 5\n...\n") == 5
    assert error("a: 1\n---\nb: 2\n") == ("malformed YAML: but found another document", "f.yaml:2:1")
    assert error("a: 1\n--- [\n") == ("malformed YAML: but found another document", "f.yaml:2:1")


def test_size_limit_and_gc_state(monkeypatch):
    import gc
    from idrun import limits
    monkeypatch.setattr(limits, "MAX_SPEC_BYTES", 10)
    assert error("a: 12345678901\n")[0].startswith("too large (15 bytes; the limit is 10")
    monkeypatch.setattr(limits, "MAX_SPEC_BYTES", 1000)
    assert gc.isenabled()
    load("a: [1, 2]\n")
    assert gc.isenabled()


# ---- the event loader against compose-then-walk ----------------------------------------

def _canon(value):
    if isinstance(value, YMap):
        return ("map", str(value.loc), [(_canon(k), str(key_loc(value, k)), str(loc_of(value, k)), _canon(v))
                                        for k, v in value.items()])
    if isinstance(value, YList):
        return ("list", str(value.loc), [(str(loc_of(value, i)), _canon(v)) for i, v in enumerate(value)])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, repr(value))


def _outcome(fn, text):
    try:
        return ("ok", _canon(fn(text, "f.yaml")))
    except SpecError as exc:
        return ("error", exc.message, str(exc.loc))
    except Exception as exc:  # noqa: BLE001 - compared, not hidden
        return ("raised", type(exc).__name__, str(exc))


def _composed(text, filename):
    try:
        return yamlsrc._load_composed(text, filename)
    except yamlsrc.yaml.MarkedYAMLError as exc:
        raise yamlsrc.yaml_error(exc, text, filename) from None   # the same wording and mark rule


def _random_doc(rng: random.Random) -> str:
    anchors: list[str] = []

    def scalar():
        r = rng.random()
        if r < 0.08 and anchors:
            return "*" + rng.choice(anchors)
        if r < 0.09:
            return "*undefined"
        return rng.choice(["1", "x", "'q'", '"1.5"', "~", "true", "0x1f", "1e3", "-.inf", "yes", "!!str 3",
                           "!!float 2", "!!int x", "!bad y", "a b", "''", ".nan", "n1", "! 4"])

    def anchor():
        if rng.random() < 0.15:
            name = rng.choice("abcdefghij") if rng.random() < 0.2 else f"x{len(anchors)}"
            anchors.append(name)
            return f"&{name} "
        return ""

    def flow(depth):
        r = rng.random()
        if depth > 3 or r < 0.5:
            return anchor() + scalar()
        if r < 0.75:
            return anchor() + "[" + ", ".join(flow(depth + 1) for _ in range(rng.randint(0, 4))) + "]"
        keys = [rng.choice(["k", "m", "1", "n", "p", "true", "<<"]) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.7:
            keys = list(dict.fromkeys(keys))
        return anchor() + "{" + ", ".join(f"{k}: {flow(depth + 1)}" for k in keys) + "}"

    def block(depth, indent):
        pad = " " * indent
        if depth > 3 or rng.random() < 0.3:
            return " " + flow(depth) + "\n"
        if rng.random() < 0.5:
            return "\n" + "\n".join(pad + "-" + block(depth + 1, indent + 2).rstrip("\n")
                                    for _ in range(rng.randint(1, 4))) + "\n"
        keys = dict.fromkeys(rng.choice(["k", "m", "n", "p", "<<", "1"]) for _ in range(rng.randint(1, 4)))
        return "\n" + "\n".join(pad + k + ":" + block(depth + 1, indent + 2).rstrip("\n") for k in keys) + "\n"

    text = block(0, 0).lstrip("\n")
    if rng.random() < 0.05:
        text += "---\nx: 1\n"
    if rng.random() < 0.05:
        text = text[:rng.randint(0, len(text))]
    return text


EDGE_CASES = [
    "", "---\n", "a: 1\n---\nb: 2\n", "a: &x [1, *x]\n", "&x [*x]\n", "a: &x {k: *x}\n", ".nan: 1\n.nan: 2\n",
    ".nan: 1\n.NaN: 2\n", "k: &k [x]\n*k : 2\n", "a: &x\nb: *x\n", "- &a x\n- &b [*a, *a]\n- &c {p: *b, q: *a}\n- *c\n",
    "d: &d [[[[[[[[[[1]]]]]]]]]]\nx: " + "[" * 195 + "*d" + "]" * 195 + "\n",
    "d: &d [[[[[1]]]]]\nx: " + "[" * 195 + "*d" + "]" * 195 + "\n",
    "[" * 201 + "]" * 201 + "\n", "[" * 202 + "]" * 202 + "\n", "a: 1\na: 2\nb: [1\n",
    "a: |\n  12\nb: >\n  x\n  y\n", "? a\n? b\n", "{a, b: c}\n", "[a: b, c]\n", "- !!bool yes\n- !!float 0x10\n",
]


def test_event_loader_matches_compose_then_walk():
    rng = random.Random(11)
    texts = EDGE_CASES + [_random_doc(rng) for _ in range(1500)]
    outcomes = {"ok": 0, "error": 0, "raised": 0}
    for text in texts:
        streamed, composed = _outcome(load_yaml, text), _outcome(_composed, text)
        assert streamed == composed, text
        outcomes[streamed[0]] += 1
    assert outcomes["ok"] > 300 and outcomes["error"] > 300  # both paths well exercised


def test_the_tree_is_lean():
    """Slots, not a __dict__ per mapping and list; one packed int per key, an array per list."""
    doc = load("a: [1, 2]\n")
    assert not hasattr(doc, "__dict__") and not hasattr(doc["a"], "__dict__")
    assert type(doc._locs["a"]) is int and doc["a"]._locs.typecode == "Q"
    assert re.fullmatch(r"\d+", str(doc._locs["a"]))


def test_an_integer_of_thousands_of_digits_is_a_located_error(tmp_path):
    from idrun.errors import SpecError
    text = "nodes:\n  - {name: k, op: const, value: " + "9" * 5000 + "}\n"
    with pytest.raises(SpecError) as info:
        load_yaml(text, "big.yaml")
    assert str(info.value.loc) == "big.yaml:2:33" and "5,000 digits" in info.value.message


# ---- the fast path (yamlfast.py) against libyaml -------------------------------------------

def _libyaml_only(text, filename):
    """load_yaml with yamlfast's path switched off: what the fast path must match."""
    fast = yamlsrc.yamlfast.load
    yamlsrc.yamlfast.load = lambda text, filename: None
    try:
        return load_yaml(text, filename)
    finally:
        yamlsrc.yamlfast.load = fast


def _located(value):
    """Values, types and every location, read through the public views (loc, key_locs,
    value_locs, item_locs) rather than loc_of and key_loc as _canon does."""
    if isinstance(value, YMap):
        return (type(value).__name__, str(value.loc),
                [(_located(k), str(value.key_locs[k]), str(value.value_locs[k]), _located(v))
                 for k, v in value.items()])
    if isinstance(value, YList):
        return (type(value).__name__, str(value.loc),
                [(str(value.item_locs[i]), _located(v)) for i, v in enumerate(value)])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, repr(value))


def _fast_outcome(fn, text):
    try:
        return ("ok", _located(fn(text, "f.yaml")))
    except SpecError as exc:
        return ("error", exc.message, str(exc.loc))


TOKENS = ["1", "-2", "1.5", "1e3", ".5", ".inf", "-.Inf", ".nan", "0x1f", "0o17", "017", "null", "~", "true",
          "True", "FALSE", "yes", "on", "n", "y", "x", "a/b", "a.b", "a-b", "_x", "n:1", "a:b:c", "+3", "-",
          "--", ".", "v", "c", "n0", "n1", "const", "add", "/abs/path", "x~y", "1_000", "9" * 30, "-0", "0"]
ODD = ["'q'", '"s"', "&a x", "*a", "!!str 3", "x #c", "a b", "[1, [2]]", "{k: v}", "n:", ":x", "", "a,b",
       "\tx", "x\t", "? x", "|", "@x", "%x", "`x"]
KEYS = ["name", "op", "inputs", "value", "k", "null", "true", "True", "on", "_a", "a1", "Name"]


def _fast_doc(rng: random.Random) -> str:
    clean = rng.random() < 0.5  # half the documents have nothing the fast path refuses, mostly
    odd = 0.0 if clean else 0.03

    def sp():
        return rng.choice(["", "", "", " ", "  "])

    def token():
        return rng.choice(ODD) if rng.random() < odd else rng.choice(TOKENS)

    def value():
        r = rng.random()
        if r < 0.3:
            sep = rng.choice([", ", ", ", ",", " , ", ",  "])
            return "[" + sp() + sep.join(token() for _ in range(rng.randint(0, 4))) + sp() + "]"
        return token()

    def line(indent):
        keys = [rng.choice(KEYS) for _ in range(rng.randint(0, 4))]
        if clean or rng.random() < 0.7:
            keys = list(dict.fromkeys(keys))
        pairs = [k + ":" + (" " if clean or rng.random() < 0.9 else rng.choice(["", "  "])) + value() for k in keys]
        sep = ", " if rng.random() < 0.8 else rng.choice([",", " ,", ",  "])
        text = " " * indent + "-" + (" " if rng.random() < 0.9 else "   ") + "{" + sp() + sep.join(pairs) + sp() + "}"
        r = rng.random() + (0.08 if clean else 0)
        if rng.random() < 0.15:   # what `idrun import` writes after each entry, or an odd comment
            text += rng.choice(["  # from g.pbtxt node 7"] * 4 + [" #", "# x", " ## {a: b}", "  # 'q' [x", " #c"])
        if r < 0.02:
            text += "  # c"
        elif r < 0.05:
            text += " " * rng.randint(1, 3)
        elif r < 0.06:
            text = " " * indent + "# comment"
        elif r < 0.07:
            text = " " * (indent + rng.choice([-1, 1, 2])) + text.lstrip(" ")
        elif r < 0.075:
            text = " " * indent + "- x"
        return text

    head = "name: g\n" if clean else rng.choice(["name: g\n", "", "a: 1\nb: [x, y]\n", "# top\n", "x: &x {p: 1}\n", "---\n",
                       "c: |\n  nodes:\n  - {a: b}\n", "nodes: 1\n", "d: 'a\n\n  b'\n", "%YAML 1.1\n---\n"])
    indent = rng.choice([1, 2, 2, 2, 4])
    body = [line(indent) if rng.random() < 0.95 else " " * rng.randint(0, 3)
            for _ in range(rng.randint(0, 12))]
    tail = "run: {fetch: [n1]}\n" if clean else rng.choice(["run: {fetch: [n1]}\n", "", "run:\n  fetch: [n1]\n", "y: *x\n", "nodes: 2\n", "- x\n",
                       "# end\n", "...\n", "---\nz: 1\n", "z: [1\n", "e: !!bool yes\n", "  f: 1\n"])
    text = head + "nodes:" + " " * rng.choice([0, 0, 1]) + "\n" + "\n".join(body) + ("\n" if body else "") + tail
    r = rng.random() + (0.1 if clean else 0)
    if r < 0.03:
        text = "q: \"x\n" + text + "\"\n"
    elif r < 0.05:
        text = "{a: 1,\n" + text + "}\n"
    elif r < 0.07:
        text = "--- |\n" + text
    elif r < 0.08:
        text = text.replace("\n", "\r\n")
    elif r < 0.09:
        text = text.rstrip("\n")
    return text


def test_fast_path_matches_libyaml():
    rng = random.Random(5)
    texts = [_fast_doc(rng) for _ in range(4000)]
    texts += ["nodes:\n  - {a: 1}\n", "nodes:\n", "nodes:\n\n", "nodes:\n  - {}\n  - { }\n",
              "nodes:\n  - {a: 1}", "nodes:\n- {a: 1}\n", "nodes:\n  - {a: [a,b], b: [ ]}\n",
              "nodes:\n  - {a: 1, a: 2}\n", "nodes:\n  - {true: 1, True: 2}\n", "a: 1\nnodes:\n  - {a: 1}\na: 2\n"]
    taken = ok = 0
    for text in texts:
        fast, slow = _fast_outcome(load_yaml, text), _fast_outcome(_libyaml_only, text)
        assert fast == slow, text
        taken += yamlsrc.yamlfast.load(text, "f.yaml") is not None
        ok += slow[0] == "ok"
    # the fast path taken often, refused often on documents that load, errors often
    assert taken > 1200 and ok - taken > 500 and len(texts) - ok > 500, (taken, ok)


def test_fast_path_counts_values_as_libyaml(monkeypatch):
    text = "a: [1, 2]\nnodes:\n  - {name: x, inputs: [p, q]}\n  - {name: y}\nb: 1\n"
    # values: root, a, [..], 1, 2, nodes, the list, 2 items: {..} name x inputs [..] p q, {..} name y, b 1
    total = 1 + 4 + 2 + 7 + 3 + 2
    monkeypatch.setattr(yamlsrc, "MAX_VALUES", total)
    assert yamlsrc.yamlfast.load(text, "f.yaml") is not None and load(text)["nodes"][1] == {"name": "y"}
    assert _fast_outcome(_libyaml_only, text) == _fast_outcome(load_yaml, text)
    monkeypatch.setattr(yamlsrc, "MAX_VALUES", total - 1)
    assert yamlsrc.yamlfast.load(text, "f.yaml") is None
    assert "over 18 values" in error(text)[0]


def test_fast_path_takes_the_generated_chain():
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "bench"))
    from bench import chain_spec
    text = chain_spec(300)
    assert yamlsrc.yamlfast.load(text, "f.yaml") is not None
    assert _fast_outcome(load_yaml, text) == _fast_outcome(_libyaml_only, text)


def test_an_error_at_the_end_of_a_text_without_a_final_newline_is_on_its_last_line():
    with pytest.raises(SpecError) as info:
        load_yaml("[1, 2", "--feed x")
    assert str(info.value.loc) == "--feed x:1:6"
    with pytest.raises(SpecError) as info:  # with the newline: still where the `]` is missing
        load_yaml("[1, 2\n", "f.yaml")
    assert str(info.value.loc) == "f.yaml:1:6"

"""Load a spec file: YAML with locations -> Graph, run defaults and `expect:`."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from idrun import limits
from idrun.devices.names import normalize_device
from idrun.errors import SourceLoc, SpecError, did_you_mean
from idrun.graph import Graph, node_of
from idrun.records import FACTORY, Record
from idrun.spec.builder import GraphBuilder, _check_keys
from idrun.spec.templates import parse_templates
from idrun.spec.graphkeys import GRAPH_KEYS, KNOWN, collection_key
from idrun.spec.yamlsrc import YMap, key_loc, load_yaml, loc_of, paused_gc

TOP_KEYS = ("name", "description", "variables", "devices", "templates", "nodes", "run", "expect", "expand",
            "collections")
RUN_KEYS = ("fetch", "targets", "feed", "steps", "init")
VARIABLE_MODES = ("resource", "ref")


class Located(Record):
    """A value from the spec with where it was written."""

    value: Any
    loc: SourceLoc | None

    def __init__(self, value: Any, loc: SourceLoc | None) -> None:
        self.value = value
        self.loc = loc


class RunConfig(Record):
    fetch: list[Located]
    targets: list[Located]
    feed: dict[str, Located]
    feed_names: dict[str, SourceLoc | None]   # where each feed's name is written (its key)
    steps: int
    init: bool
    init_targets: list[Located]   # `init: [ops]`: run once before step 1 (an imported initializer)
    fetch_given: bool
    loc: SourceLoc | None         # where the spec's `run:` section is, if it has one

    def __init__(self, fetch: list[Located] = FACTORY, targets: list[Located] = FACTORY,
                 feed: dict[str, Located] = FACTORY, steps: int = 1, init: bool = True,
                 fetch_given: bool = False, loc: SourceLoc | None = None) -> None:
        self.fetch = [] if fetch is FACTORY else fetch
        self.targets = [] if targets is FACTORY else targets
        self.feed = {} if feed is FACTORY else feed
        self.feed_names = {}
        self.steps = steps
        self.init = init
        self.init_targets = []
        self.fetch_given = fetch_given
        self.loc = loc


class Spec(Record):
    path: str
    name: str
    description: str
    variables: str
    devices: list[str] | None
    graph: Graph
    run: RunConfig
    expect: dict[str, Located]
    warnings: list[SpecError]
    loc: SourceLoc
    templates: dict
    expand: bool         # false: every entry is one node as written (what `idrun import` makes)
    collections: dict[str, list[str]]   # TF's collections (a MetaGraphDef's, `idrun import`)

    def __init__(self, path: str, name: str, description: str, variables: str, devices: list[str] | None,
                 graph: Graph, run: RunConfig, expect: dict[str, Located], warnings: list[SpecError],
                 loc: SourceLoc, templates: dict = FACTORY, expand: bool = True,
                 collections: dict = FACTORY) -> None:
        self.path = path
        self.name = name
        self.description = description
        self.variables = variables
        self.devices = devices
        self.graph = graph
        self.run = run
        self.expect = expect
        self.warnings = warnings
        self.loc = loc
        self.templates = {} if templates is FACTORY else templates
        self.expand = expand
        self.collections = {} if collections is FACTORY else collections


def read_document(path: str) -> tuple[YMap, str]:
    """The spec file as a located mapping."""
    try:
        size = os.stat(path).st_size
        if size > limits.MAX_SPEC_BYTES:
            raise SpecError(f"{path} is {size / 2**20:.0f} MiB, over the {limits.MAX_SPEC_BYTES >> 20} MiB "
                            "a spec may have (raise it with `idrun --max-spec-mb N`)")
        with open(path, "rb") as fh:
            raw = _read_bounded(fh, size, limits.MAX_SPEC_BYTES)
        if len(raw) > limits.MAX_SPEC_BYTES:
            raise SpecError(f"{path} is over the {limits.MAX_SPEC_BYTES >> 20} MiB a spec may have "
                            "(raise it with `idrun --max-spec-mb N`)")
    except FileNotFoundError:
        raise SpecError(f"no such file: {path}") from None
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot start a character "
                        "(save the spec as UTF-8)", SourceLoc(path, line, col)) from None
    _check_node_estimate(text, path)
    doc = load_yaml(text, path)
    if not isinstance(doc, YMap):
        raise SpecError("a spec must be a YAML mapping with a `nodes:` list",
                        getattr(doc, "loc", SourceLoc(path, 1, 1)))
    return doc, text


def _read_bounded(fh, size: int, limit: int) -> bytes:
    """At most limit + 1 bytes, in reads of about the file's size (`read(limit + 1)` would
    allocate the whole limit up front); FIFOs and /dev/stdin report size 0 and grow."""
    chunks, total = [], 0
    while total <= limit:
        chunk = fh.read(min(max(size + 1, 1 << 16), limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_OP_KEY = re.compile(r"""op["']?[ \t]*:(?=[ \t\r\n"'])""")  # `op:` / `"op":` keys (`loop:`: below)


def _check_node_estimate(text: str, path: str) -> None:
    """Refuse a spec with more `op:` keys than limits.MAX_NODES before composing it
    (a 1,000,000-node spec takes tens of seconds and gigabytes to parse); the builder
    then counts the nodes it makes against the same limit."""
    limit = limits.MAX_NODES
    if text.count("op") <= limit or len(_OP_KEY.findall(text)) <= limit:  # upper bounds
        return
    keys = 0
    for match in _OP_KEY.finditer(text):
        pos = match.start()
        if pos and (text[pos - 1].isalnum() or text[pos - 1] in "_-"):
            continue  # `loop:`, `my-op:`: another key
        keys += 1
        if keys > limit:
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
            raise SpecError(f"the spec has over {limit:,} `op:` keys, so over {limit:,} nodes "
                            "(the limit; raise it with `idrun --max-nodes N`)", SourceLoc(path, line, col))


def load_spec(path: str, variables: str | None = None, observer: Any = None) -> Spec:
    """Load and build a spec; `variables` overrides the file's mode; `observer` watches
    every entry as the builder makes it (the TF exporter)."""
    with paused_gc():
        return _load_spec(path, variables, observer)


def build_document(doc: YMap, text: str, path: str, on_infer_error: Any = None) -> Spec:
    """Build a located tree made elsewhere, as `load_spec` builds the file `text` (what the
    tree is read from) at `path` would be: the same checks of the text, then the build.
    `idrun import` makes its entries' trees itself from what it writes as the text, and
    may type a node the build refuses instead (GraphBuilder.on_infer_error)."""
    with paused_gc():
        size = len(text.encode("utf-8"))
        if size > limits.MAX_SPEC_BYTES:
            raise SpecError(f"{path} is {size / 2**20:.0f} MiB, over the {limits.MAX_SPEC_BYTES >> 20} MiB "
                            "a spec may have (raise it with `idrun --max-spec-mb N`)")
        _check_node_estimate(text, path)
        return _build_spec(doc, path, None, None, on_infer_error)


def _load_spec(path: str, variables: str | None, observer: Any) -> Spec:
    doc, _ = read_document(path)
    return _build_spec(doc, path, variables, observer)


def _build_spec(doc: YMap, path: str, variables: str | None, observer: Any,
                on_infer_error: Any = None) -> Spec:
    unknown = [k for k in doc if k not in TOP_KEYS]   # another tool's YAML (docker-compose.yml)?
    if unknown and len(unknown) == len(doc) and (len(unknown) > 1 or not did_you_mean(str(unknown[0]), TOP_KEYS)):
        shown = ", ".join(f"'{k}'" for k in unknown[:4]) + (", ..." if len(unknown) > 4 else "")
        raise SpecError(f"not an idrun spec: none of its top-level keys ({shown}) is a spec's "
                        f"({', '.join(TOP_KEYS)})", key_loc(doc, unknown[0]))
    _check_keys(doc, TOP_KEYS, "a spec")
    mode = variables or _mode(doc)
    if "nodes" not in doc:
        raise SpecError("a spec needs a `nodes:` list", doc.loc)
    builder = GraphBuilder(path, mode)
    templates = builder.templates = parse_templates(doc)
    builder.observer = observer
    builder.on_infer_error = on_infer_error
    if doc.get("expand", True) not in (True, False):
        raise SpecError("`expand` must be true or false", loc_of(doc, "expand"))
    builder.expand = doc.get("expand", True)
    # the entries are read once: dropped from the document before the graph is made, so
    # that a big spec's located tree and its graph are never in memory together
    where = loc_of(doc, "nodes")
    builder.add_entries(doc.pop("nodes"), where, consume=True)
    graph = builder.finish()
    collections = _merged(builder.collections, _collections(doc, graph))
    return Spec(path=path, name=_text(doc, "name", Path(path).stem),
                description=_text(doc, "description", ""), variables=mode,
                devices=_devices(doc), graph=graph, run=_run_config(doc, collections),
                expect=_expect(doc), warnings=builder.warnings, loc=doc.loc,
                templates=templates, expand=builder.expand, collections=collections)


def _text(doc: YMap, key: str, default: str) -> str:
    value = doc.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise SpecError(f"`{key}` must be a string", loc_of(doc, key))
    return value


def _mode(doc: YMap) -> str:
    mode = doc.get("variables", "resource")
    if mode not in VARIABLE_MODES:
        raise SpecError(f"`variables` must be resource or ref, got {mode!r}", loc_of(doc, "variables"))
    return mode


def _devices(doc: YMap) -> list[str] | None:
    if "devices" not in doc or doc["devices"] is None:
        return None
    items = doc["devices"]
    if not isinstance(items, list) or not items:
        raise SpecError("`devices` must be a non-empty list such as [cpu:0, gpu:0]", loc_of(doc, "devices"))
    out = []
    for i, item in enumerate(items):
        try:
            name = normalize_device(item)
        except ValueError as exc:
            raise SpecError(str(exc), loc_of(items, i)) from None
        if name not in out:
            out.append(name)
    return out


def _names(section: YMap, key: str, collections: dict[str, list[str]] | None = None) -> list[Located]:
    """`run.fetch`, `run.targets`: names, and (with `collections`) `{collection: NAME}` items,
    each the collection's members as `sess.run(tf.get_collection(NAME))` runs them."""
    items = section.get(key)
    if items is None:
        return []
    if isinstance(items, str):
        return [Located(items, loc_of(section, key))]
    if not isinstance(items, list):
        raise SpecError(f"`run.{key}` must be a list of names", loc_of(section, key))
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(Located(item, loc_of(items, i)))
        elif collections is not None and isinstance(item, dict) and list(item) == ["collection"]:
            out.extend(Located(name, loc_of(items, i)) for name in _collection(item["collection"], collections,
                                                                               loc_of(items, i)))
        else:
            raise SpecError(f"`run.{key}` must be a list of names"
                            + (" or {collection: NAME}" if collections is not None else ""), loc_of(items, i))
    return out


def _collection(name: Any, collections: dict[str, list[str]], loc) -> list[str]:
    if not isinstance(name, str) or not name:
        raise SpecError("`collection` names one collection, such as UPDATE_OPS or losses", loc)
    key = collection_key(name)
    if key not in collections and name not in KNOWN:
        raise SpecError(f"unknown collection '{name}': no entry adds to it", loc,
                        did_you_mean(name, list(collections) + list(GRAPH_KEYS)))
    return list(collections.get(key, ()))


def _run_config(doc: YMap, collections: dict[str, list[str]]) -> RunConfig:
    section = doc.get("run")
    if section is None:
        return RunConfig(loc=loc_of(doc, "run") if "run" in doc else None)
    if not isinstance(section, YMap):
        raise SpecError("`run` must be a mapping", loc_of(doc, "run"))
    _check_keys(section, RUN_KEYS, "`run`")
    config = RunConfig(fetch=_names(section, "fetch", collections), targets=_names(section, "targets", collections),
                       fetch_given="fetch" in section, loc=loc_of(doc, "run"))
    steps = section.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise SpecError("`run.steps` must be a non-negative integer", loc_of(section, "steps"))
    if steps > limits.MAX_STEPS:
        raise SpecError(f"`run.steps` is {steps:,}, over the limit of {limits.MAX_STEPS:,} (as --steps)",
                        loc_of(section, "steps"))
    config.steps = steps
    init = section.get("init", True)
    if isinstance(init, list):  # the ops that initialize, as `sess.run(init)` (idrun import)
        config.init_targets = _names(section, "init")
        init = True
    if not isinstance(init, bool):
        raise SpecError("`run.init` must be true, false or a list of ops to run before step 1",
                        loc_of(section, "init"))
    config.init = init
    feed = section.get("feed") or {}
    if not isinstance(feed, dict):
        raise SpecError("`run.feed` must be a mapping of name to value", loc_of(section, "feed"))
    config.feed = {str(k): Located(v, loc_of(feed, k)) for k, v in feed.items()}
    config.feed_names = {str(k): key_loc(feed, k) for k in feed} if isinstance(feed, YMap) else {}
    return config


def _collections(doc: YMap, graph: Graph) -> dict[str, list[str]]:
    """`collections: {name: [node or tensor, ...]}`: TF's graph collections, as data; each
    item names a node of the graph (`train`, `loss:0`); a tf.GraphKeys name is its key string."""
    section = doc.get("collections")
    if section is None:
        return {}
    if not isinstance(section, YMap):
        raise SpecError("`collections` must be a mapping of collection name to a list of names",
                        loc_of(doc, "collections"))
    out = {}
    for key, items in section.items():
        if items is None:
            items = []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise SpecError(f"collection '{key}' must be a list of node or tensor names", loc_of(section, key))
        for i, item in enumerate(items):
            node = node_of(item)
            if node not in graph.nodes and node not in graph.aliases:
                raise SpecError(f"collection '{key}': '{item}' names no node of the graph", loc_of(items, i))
        have = out.setdefault(collection_key(str(key)), [])   # UPDATE_OPS and update_ops: one collection
        have.extend(i for i in items if i not in have)
    return out


def _merged(built: dict[str, list[str]], listed: dict[str, list[str]]) -> dict[str, list[str]]:
    """The collections the entries filled (`collections:` on entries, variables), then what the
    top-level `collections:` lists (a MetaGraphDef's), each name once."""
    out = {key: list(names) for key, names in built.items()}
    for key, names in listed.items():
        have = out.setdefault(key, [])
        have.extend(n for n in names if n not in have)
    return out


def _expect(doc: YMap) -> dict[str, Located]:
    section = doc.get("expect")
    if section is None:
        return {}
    if not isinstance(section, YMap):
        raise SpecError("`expect` must be a mapping of tensor name to per-step values",
                        loc_of(doc, "expect"))
    return {str(k): Located(v, loc_of(section, k)) for k, v in section.items()}

"""GraphBuilder: turns the `nodes:` list of a spec into a Graph, as TF would.

Policy (what a user can rely on):
- Entries are processed in order. Each node, each implicit constant of a
  literal input and each resource read is *created* at a point; the blocks
  active at that point give it its name scope, device and control inputs.
- Control dependencies attach only to nodes created inside a block (A1). An
  alias creates nothing, so a block around an alias attaches to nothing:

      WRONG (prints 0, 0, 0)              RIGHT (prints 1, 2, 3)
      - control_dependencies: [inc]       - control_dependencies: [inc]
        nodes: [{name: y, alias: x}]        nodes: [{name: y, op: identity, inputs: [x]}]

- Domination pruning (A3): a node gets no control inputs from a block when
  one of its direct data inputs was created in that block (or a block nested
  in it), and none that is already a data input. A resource read is created
  with its consumer, so it takes the block's control inputs and the consumer
  takes none.
- A reference means what the TF Python program sees at that point: among
  the names created *before* it, the entry's name scope first, then each
  enclosing scope, then the full name, as a Python variable read. Inside
  `name_scope: inner`, `{name: y, op: add, inputs: [y, 1.0]}` reads the outer
  `y` and creates `inner/y`; a node never reads itself. Only when nothing
  earlier matches may a reference point forward (resolved once all entries
  are read, by the same scope rule).

State: the name-scope, device and controller stacks live here, never on
nodes. Nodes are drafted (mutable) and frozen into the Graph at the end.
"""

from __future__ import annotations

from typing import Any

from idrun import limits
from idrun.dtypes import literal_type
from idrun.ops.shapes import num_elements
from idrun.devices.names import DeviceSpec, parse_device
from idrun.errors import SourceLoc, SpecError, SpecWarning, did_you_mean
from idrun.graph import (AliasBlock, ControlSource, DroppedControl, EmptyBlock, Graph, Node,
                         Provenance, TensorRef, TensorType, cycle_error, freeze_attrs)
from idrun.ops import REGISTRY, lookup
from idrun.ops.control_flow import FORWARDING_OPS, flow_op, is_back_edge
from idrun.ops.opdef import MISSING, InferError, OpDef
from idrun.schedule import declaration_order
from idrun.spec.drafts import _Controller, _Draft, _Pending
from idrun.spec.control_flow import ControlFlowBuilder
from idrun.spec.expansions import TFExpansions
from idrun.spec.gradients import GradientsBuilder
from idrun.spec.graphkeys import GRAPH_KEYS, KNOWN, collection_key
from idrun.spec.names import Namer, check_name, enclosing_scopes, join
from idrun.spec.templates import instantiate, values_in
from idrun.spec.yamlsrc import MAX_VALUES, YList, YMap, key_loc, loc_of

NODE_KEYS = ("name", "op", "inputs", "device", "control_inputs", "colocate_with", "collections")
_NODE_KEYS: dict[str, tuple[tuple[str, ...], frozenset]] = {}  # op -> keys its entries may have
BLOCK_KEYS = ("nodes", "device", "name_scope", "control_dependencies")


class GraphBuilder(TFExpansions, ControlFlowBuilder, GradientsBuilder):
    """Builds a Graph from node entries; see the module docstring for the policy."""

    def __init__(self, filename: str, variables: str = "resource") -> None:
        self.filename = filename
        self.variables = variables
        self.namer = Namer()
        self.drafts: dict[str, _Draft] = {}
        self.before: dict[str, list[_Draft]] = {}  # drafts created late, ordered before a node
        self.late: dict[str, _Draft] = {}
        self._walking: set[str] = set()   # forwarding nodes `_forwards_variable` is inside (a loop's cycle)
        self.aliases: dict[str, tuple[_Pending, SourceLoc]] = {}
        self.warnings: list[SpecError] = []
        self._scope = ""
        self._device = DeviceSpec()
        self._controllers: list[_Controller] = []
        self._next_uid = 0
        self._var_reads: dict[str, str] = {}  # variable -> its own read (fetch / ref snapshot)
        self.templates: dict = {}
        self._assign_reads: dict[str, str] = {}  # resource assign -> its lazy read (B4)
        self._resolved_controls: dict[int, list[str]] = {}  # controller uid -> node names
        self.observer = None  # sees entries as they are built (the TF exporter)
        self.returns: dict[str, str] = {}  # node -> what TF's Python returns for it (B4-like)
        self._born: dict[str, int] = {}  # node or alias name -> when it was created
        self.serial = 0                  # names created so far (a reference's `seen`)
        self._instantiating: list[str] = []  # templates being expanded (a cycle is an error)
        # provenance for `idrun check` / `explain` (graph.Provenance), recorded as we go
        self._created: list[str] = []    # names made by entries, in order (drafts and aliases)
        self._blocks: list[tuple[_Controller, int, int]] = []  # controller, created[start:end]
        self._alias_blocks: list[tuple[str, SourceLoc, tuple[_Controller, ...]]] = []
        self._sources: dict[str, tuple[ControlSource, ...]] = {}
        self._dropped: list[DroppedControl] = []
        # `expand: false` (what `idrun import` writes): every entry is one node, as in a
        # GraphDef; nothing TF's Python adds (variable reads, lazy reads, helper constants,
        # returned identities) is made, so a graph TF wrote keeps exactly its nodes
        self.expand = True
        self._device_strings: dict[DeviceSpec, tuple[str, str]] = {}  # str(), tf_string()
        self._late_inputs: dict[tuple[str, int], SourceLoc] = {}  # (node, input) -> where a reference ahead was written
        self._device_locs: dict[DeviceSpec, SourceLoc] = {}  # device -> the first `device:` asking for it
        self._typed: dict[tuple, tuple] = {}  # (op, *input types) -> outputs, elementwise ops
        # `cond` entries (spec/control_flow.py): the branch being built, each draft's branch, and
        # each merge's (false, true) branches
        self._branch = None
        self._branch_of: dict[str, Any] = {}
        self._merge_branches: dict[str, tuple] = {}
        self._pivot_at: dict[str, str] = {}
        self._captures_done: set[str] = set()         # drafts whose inputs a context has routed
        self._switch_context: dict[str, Any] = {}     # a capture's switch -> the branch it feeds
        self._template_values = 0                  # values template arguments repeat (`_add_instance`)
        self._value_sizes: dict[int, int] = {}
        # (draft, message) -> the outputs to type the node with instead of an InferError, or
        # None to raise it (`idrun import`: a node it keeps as tf_opaque when refused)
        self.on_infer_error: Any = None
        self.training: list[tuple] = []  # minimize entries, for `idrun check` (Graph.training)
        self.grad_cache: dict = {}       # what TF's gradient functions cache per graph (spec/gradients.py)
        # TF's graph collections as entries fill them (key string -> node names, in the order they
        # were added): `collections:` on an entry, variables in GLOBAL_VARIABLES/TRAINABLE_VARIABLES
        self.collections: dict[str, list[str]] = {}

    @property
    def scope(self) -> str:
        """The current name scope (`a/b`), as TF's `get_name_scope()`."""
        return self._scope

    def _draft_here(self, name: str, op: str, inputs: list, attrs: dict, loc: SourceLoc, role: str,
                    **fields) -> _Draft:
        """A node the builder makes itself (a cond's switch, a gradient, a layer's op, a schedule's
        cast) as TF's Python makes it here: in the current device block and control blocks."""
        fields.setdefault("active", tuple(self._controllers))
        return _Draft(name, REGISTRY[op], list(inputs), attrs,
                      self._device_strings.get(self._device, (str(self._device),))[0], loc, role=role,
                      device_from="block" if str(self._device) else "", requested=self._device.tf_string(),
                      **fields)

    def _register(self, draft: _Draft, born: int | None = None) -> None:
        """Add a draft; references written from now on can see it."""
        if len(self.drafts) >= limits.MAX_NODES:
            raise SpecError(f"the graph has over {limits.MAX_NODES:,} nodes (the limit; raise it "
                            "with `idrun --max-nodes N`)", draft.loc)
        self.drafts[draft.name] = draft
        self._created.append(draft.name)
        if draft.opdef.source == "variable" and self.expand:  # as tf.Variable adds itself
            self.collections.setdefault("variables", []).append(draft.name)
            if draft.attrs.get("trainable", True) is not False:
                self.collections.setdefault("trainable_variables", []).append(draft.name)
        if self._branch is not None and draft.opdef.source != "variable":  # TF makes variables outside
            self._branch_of[draft.name] = self._branch
            self._pivot_at[draft.name] = self._branch.pivot
        self._born_now(draft.name, born)

    def _born_now(self, name: str, born: int | None = None) -> None:
        self._born[name] = self.serial if born is None else born
        self.serial += 1

    def pending(self, text: Any, loc: SourceLoc, owner: str = "", seen: int | None = None) -> _Pending:
        """A reference written now, in the current scope."""
        return _Pending(text, loc, self._scope, self.serial if seen is None else seen, owner)

    # ---- entries -------------------------------------------------------
    def add_entries(self, entries: Any, where: SourceLoc, consume: bool = False) -> None:
        """Build each entry in order; `consume` (the spec's own top-level list, read once)
        lets each entry go as soon as it is built, so its memory takes the next drafts."""
        if not isinstance(entries, list):
            raise SpecError("`nodes` must be a list of node entries, aliases and blocks", where)
        for i, entry in enumerate(entries):
            loc = loc_of(entries, i) or where
            if not isinstance(entry, YMap):
                raise SpecError("a node entry must be a mapping with `op`, `alias` or `nodes`", loc)
            self._add_entry(entry, loc)
            if consume:
                entries[i] = entry = None

    def _add_entry(self, entry: YMap, loc: SourceLoc) -> None:
        if "op" in entry:
            self._add_node(entry, loc)
        elif "alias" in entry:
            self._add_alias(entry, loc)
        elif "nodes" in entry:
            self._add_block(entry, loc)
        elif "use" in entry:
            self._add_instance(entry, loc)
        elif "while_loop" in entry:
            self._add_while_loop(entry, loc)
        elif "cond" in entry:
            self._add_cond(entry, loc)
        elif "gradients" in entry:
            self._add_gradients(entry, loc)
        elif "minimize" in entry:
            self._add_minimize(entry, loc)
        elif "batch_normalization" in entry:
            self._add_batch_normalization(entry, loc)
        elif "compute_gradients" in entry:
            self._add_compute_gradients(entry, loc)
        elif "apply_gradients" in entry:
            self._add_apply_gradients(entry, loc)
        elif "exponential_decay" in entry:
            self._add_exponential_decay(entry, loc)
        else:
            kinds = ("op", "alias", "nodes", "use", "cond", "while_loop", "gradients", "minimize",
                     "compute_gradients", "apply_gradients", "exponential_decay", "batch_normalization")
            close = [k for key in entry for k in did_you_mean(str(key), kinds)]
            raise SpecError("entry needs `op` (a node), `alias` (a second name), `nodes` "
                            "(a block), `use` (a template), `cond` (tf.cond), `while_loop`, "
                            "`gradients` (tf.gradients), `minimize`, `compute_gradients`, `apply_gradients` "
                            "(an optimizer's), `exponential_decay` or `batch_normalization` "
                            "(tf.compat.v1.layers.batch_normalization)", loc, close[:1])

    def _add_instance(self, entry: YMap, loc: SourceLoc) -> None:
        """A template instance: a block under its own name scope (see spec/templates.py)."""
        name = entry.get("use")
        if not isinstance(name, str):
            raise SpecError("`use` names one template, as a string", loc_of(entry, "use", loc))
        if name in self._instantiating:
            chain = " -> ".join(self._instantiating[self._instantiating.index(name):] + [name])
            raise SpecError(f"template '{name}' uses itself ({chain})", loc_of(entry, "use", loc))
        if name not in self.templates:
            raise SpecError(f"unknown template '{name}'", loc_of(entry, "use"),
                            did_you_mean(str(name), self.templates))
        template = self.templates[name]
        instance = entry.get("name") or template.name
        nodes = instantiate(template, entry, loc)
        # what each instance repeats counts against the values a spec may hold (an argument of
        # 10^6 values passed to 100 instances is 10^8 values to build)
        self._template_values += sum(values_in(v, self._value_sizes) for v in (entry.get("with") or {}).values())
        if self._template_values > MAX_VALUES:
            raise SpecError(f"template instances repeat over {MAX_VALUES:,} values (the YAML value limit): "
                            "pass a large value to one node and reference it", loc)
        scope = self._enter_scope(instance, loc_of(entry, "name", loc))
        block = YMap(nodes=nodes, name_scope=scope + "/")
        block.loc, block.key_locs = loc, {}
        block.value_locs = {"nodes": loc, "name_scope": loc_of(entry, "name", loc)}
        for key in ("device", "control_dependencies"):
            if key in entry:
                block[key] = entry[key]
                block.value_locs[key] = loc_of(entry, key)
        self._instantiating.append(name)
        try:
            self._add_block(block, loc)
        finally:
            self._instantiating.pop()
        if template.output:
            self.aliases[scope] = (_Pending(f"{scope}/{template.output}", loc, "", self.serial), loc)
            self._born_now(scope)

    def _add_alias(self, entry: YMap, loc: SourceLoc) -> None:
        _check_keys(entry, ("name", "alias"), "alias")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise SpecError("an alias needs a `name`", loc_of(entry, "name"))
        full = join(self._scope, name)
        if full in self.aliases:
            raise SpecError(f"alias '{full}' is already defined", loc_of(entry, "name"))
        self.aliases[full] = (self.pending(entry["alias"], loc_of(entry, "alias"), owner=full),
                              loc_of(entry, "name"))
        self._born_now(full)
        self._created.append(full)
        if self._controllers:
            self._alias_blocks.append((full, loc_of(entry, "name"), tuple(self._controllers)))
        if self.observer:
            self.observer.alias(self, full, self.aliases[full][0])

    def _add_block(self, entry: YMap, loc: SourceLoc) -> None:
        _check_keys(entry, BLOCK_KEYS, "block")
        saved = (self._scope, self._device, self._controllers)
        try:
            if "control_dependencies" in entry:
                self._enter_control(entry)
            if "device" in entry:
                self._device = self._block_device(entry)
            if "name_scope" in entry:
                self._scope = self._enter_scope(entry["name_scope"], loc_of(entry, "name_scope"))
            if self.observer:
                self.observer.enter_block(self, entry, saved[0])
            start = len(self._created)
            self.add_entries(entry["nodes"], loc_of(entry, "nodes"))
            if self._controllers is not saved[2] and self._controllers:
                self._blocks.append((self._controllers[-1], start, len(self._created)))
            if self.observer:
                self.observer.exit_block(self, entry)
        finally:
            self._scope, self._device, self._controllers = saved

    def _enter_control(self, entry: YMap) -> None:
        deps, where = entry["control_dependencies"], loc_of(entry, "control_dependencies")
        if deps is None:
            self._controllers = []
            return
        self._controllers = self._controllers + [self._controller(deps, where)]

    def _controller(self, deps: Any, where: SourceLoc, owner: str = "") -> _Controller:
        if not isinstance(deps, list):
            raise SpecError("control dependencies must be a list of node names", where)
        self._next_uid += 1
        refs = []
        for i, d in enumerate(deps):
            at = loc_of(deps, i) or where
            members = self._collection_members(d, at)
            if members is None:
                refs.append(self.pending(d, at, owner))
            else:  # tf.get_collection(...): its members now, as names
                refs.extend(_Pending(m, at, "", self.serial, owner) for m in members)
        return _Controller(self._next_uid, refs, where, "control_inputs" if owner else "block")

    def _block_device(self, entry: YMap) -> DeviceSpec:
        text = entry["device"]
        if text is None:
            return DeviceSpec()
        return self._parse_device(text, loc_of(entry, "device"))

    def _parse_device(self, text: Any, loc: SourceLoc) -> DeviceSpec:
        """The device an entry asks for, within the enclosing block's; the first place each
        device is asked for is kept for placement's error (`Graph.device_locs`)."""
        try:
            device = parse_device(text).merged_into(self._device)
        except ValueError as exc:
            raise SpecError(str(exc), loc) from None
        if device not in self._device_locs:
            self._device_locs[device] = loc
        return device

    def _enter_scope(self, name: Any, loc: SourceLoc) -> str:
        if name is None:
            return ""
        if not isinstance(name, str):
            raise SpecError("`name_scope` must be a string", loc)
        if name.endswith("/"):
            return name[:-1]
        problem = check_name(name, self._scope)
        if problem:
            raise SpecError(problem, loc)
        return self.namer.unique(join(self._scope, name))

    # ---- nodes ---------------------------------------------------------
    def _add_node(self, entry: YMap, loc: SourceLoc) -> None:
        op = entry["op"]
        opdef = REGISTRY.get(op) if type(op) is str else None
        if opdef is None:
            opdef = lookup(op, loc_of(entry, "op"))
        allowed = _NODE_KEYS.get(opdef.name)
        if allowed is None:
            keys = NODE_KEYS + tuple(a.name for a in opdef.attrs)
            allowed = _NODE_KEYS[opdef.name] = (keys, frozenset(keys))
        if not allowed[1].issuperset(entry):
            _check_keys(entry, allowed[0], f"op '{opdef.name}'")
        attrs = _node_attrs(opdef, entry, loc)
        device = self._node_device(entry)
        seen = self.serial
        name = self._node_name(entry, opdef, loc)
        active = tuple(self._controllers)
        if "control_inputs" in entry:
            active += (self._controller(entry["control_inputs"], loc_of(entry, "control_inputs"), name),)
        helpers = _written_helpers(opdef, attrs, entry) if not self.expand else 0
        written, input_locs = self._collection_inputs(opdef, entry, loc)
        raw_inputs = _input_list(opdef, entry, loc, helpers, written)
        opdef, attrs, raw_inputs = self._sparse_read(opdef, attrs, raw_inputs, name, seen, loc)
        strings = self._device_strings.get(device)
        if strings is None:
            strings = self._device_strings[device] = (str(device), device.tf_string())
        draft = _Draft(name, opdef, [], attrs, strings[0], loc, active=active,
                       device_from=self._device_from(entry), seen=seen, requested=strings[1])
        if opdef.source == "variable":
            draft.active = ()  # variables are made in TF's init_scope: no control inputs
        start = len(self._created)
        if raw_inputs:
            for i, raw in enumerate(raw_inputs):  # settled now (most), else resolved in finish
                if type(raw) is CollectionMember:
                    draft.inputs.append(_Pending(raw.name, raw.loc, "", draft.seen, draft.name))
                    continue
                settled = self._settled(draft, i, raw) if type(raw) is str and raw else None
                draft.inputs.append(settled or self._input(draft, i, raw, (input_locs[i] if input_locs
                                                                           else loc_of(entry["inputs"], i)) or loc))
        if "colocate_with" in entry:
            if not isinstance(entry["colocate_with"], str):
                raise SpecError("`colocate_with` must be a node name", loc_of(entry, "colocate_with"))
            draft.colocate = entry["colocate_with"]
        if not self.expand:
            draft.helper_count = helpers
            self._register(draft)
            if "collections" in entry:
                self._add_to_collections(entry, draft.name)
            if self.observer:
                self.observer.node(self, entry, draft, raw_inputs)
            return
        self._add_helpers(draft)
        self._register(draft)
        if "collections" in entry:
            self._add_to_collections(entry, draft.name)
        if "control_inputs" in entry:
            self._blocks.append((active[-1], start, len(self._created)))
        if opdef.source == "variable":
            self._add_variable_read(draft)
        if opdef.assigns and self._kind(draft) == "resource":
            self._add_lazy_read(draft)
        if opdef.returns_identity:
            self._add_returned_identity(draft)
        if self.observer:
            self.observer.node(self, entry, draft, raw_inputs)

    # ---- collections (tf.add_to_collection, tf.get_collection) -------------------------
    def _add_to_collections(self, entry: YMap, name: str) -> None:
        """`collections: [UPDATE_OPS, ...]` on an entry: tf.add_to_collections(names, node)."""
        keys, where = entry["collections"], loc_of(entry, "collections")
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise SpecError("`collections` must be a list of collection names, such as [UPDATE_OPS] "
                            "or [losses]", where)
        for key in dict.fromkeys(collection_key(k) for k in keys):  # TF: a set of names
            self.collections.setdefault(key, []).append(name)

    def _collection_members(self, item: Any, loc: SourceLoc) -> list[str] | None:
        """`{collection: NAME}` (tf.get_collection(NAME)): the nodes added to it so far, in
        order (TF returns a copy at the call); None for anything else."""
        if not isinstance(item, dict) or "collection" not in item:
            return None
        if isinstance(item, YMap):
            _check_keys(item, ("collection",), "a collection reference")
        name = item["collection"]
        if not isinstance(name, str) or not name:
            raise SpecError("`collection` names one collection, such as UPDATE_OPS or losses", loc)
        key = collection_key(name)
        if key not in self.collections and name not in KNOWN:
            raise SpecError(f"unknown collection '{name}': no entry before this one adds to it "
                            "(`collections: [...]` on an entry)", loc,
                            did_you_mean(name, list(self.collections) + list(GRAPH_KEYS)))
        return list(self.collections.get(key, ()))

    def _collection_inputs(self, opdef: OpDef, entry: YMap, loc: SourceLoc) -> tuple[Any, list | None]:
        """An entry's `inputs` with each `{collection: NAME}` replaced by its members (in place,
        as `*tf.get_collection(NAME)`), and where each input was written; (None, None) when
        it has no collection reference."""
        raw = entry.get("inputs")
        if not isinstance(raw, list) or not any(isinstance(r, dict) and "collection" in r for r in raw):
            return None, None
        out, locs = [], []
        for i, item in enumerate(raw):
            at = loc_of(raw, i) or loc
            members = self._collection_members(item, at)
            if members is None:
                out.append(item)
                locs.append(at)
                continue
            if not members and opdef.variadic and len(raw) == 1 and opdef.min_inputs:
                detail = (": Inputs must be an iterable of at least one Tensor/IndexedSlices with the same "
                          "dtype and shape." if opdef.name == "add_n" else f" (op '{opdef.name}' takes "
                          f"one or more inputs)")
                raise SpecError(f"collection '{item['collection']}' is empty before this entry, so "
                                f"{opdef.name} gets no inputs{detail}", at)
            key = collection_key(item["collection"])
            out.extend(CollectionMember(m, at, key, k) for k, m in enumerate(members))
            locs.extend(at for _ in members)
        return out, locs

    def _device_from(self, entry: YMap) -> str:
        if entry.get("device") is not None:
            return "explicit"
        strings = self._device_strings.get(self._device)
        return "block" if (strings[0] if strings else str(self._device)) else ""

    def _node_device(self, entry: YMap) -> DeviceSpec:
        if "device" not in entry or entry["device"] is None:
            return self._device
        return self._parse_device(entry["device"], loc_of(entry, "device"))

    def _node_name(self, entry: YMap, opdef: OpDef, loc: SourceLoc) -> str:
        requested = entry.get("name")
        if requested in (None, ""):
            return self.namer.unique(join(self._scope, opdef.type_name))
        if not isinstance(requested, str):
            raise SpecError("`name` must be a string", loc_of(entry, "name"))
        problem = check_name(requested, self._scope)
        if problem:
            raise SpecError(problem, loc_of(entry, "name"))
        wanted = join(self._scope, requested)
        full = self.namer.unique(wanted)
        if full != wanted:
            self.warnings.append(SpecWarning(
                f"name '{wanted}' is taken; this node is named '{full}'", loc_of(entry, "name")))
        return full

    def _input(self, draft: _Draft, position: int, raw: Any, loc: SourceLoc):
        if isinstance(raw, str):
            return self.pending(raw, loc, owner=draft.name, seen=draft.seen)
        if isinstance(raw, dict) or raw is None:
            raise SpecError(f"input '{draft.opdef.input_name(position)}' of {draft.opdef.name} must be "
                            f"a node name or a literal, got {'null' if raw is None else 'a mapping'}", loc)
        if draft.opdef.control_inputs_only:
            raise SpecError(f"inputs of {draft.opdef.name} must be node names, got {raw!r}", loc)
        if position in draft.opdef.ref_inputs:
            raise SpecError(f"input '{draft.opdef.input_name(position)}' of {draft.opdef.name} "
                            "must name a variable, not a literal", loc)
        arg = draft.opdef.input_name(position)
        const = _Draft(self.namer.unique(f"{draft.name}/{arg}"), REGISTRY["const"], [],
                       {"value": _plain(raw), "dtype": None}, draft.device, loc,
                       active=draft.active, role="literal", literal=_plain(raw),
                       device_from="block" if draft.device else "", requested=draft.requested)
        self._register(const)
        return TensorRef(const.name, 0)

    def _settled(self, draft: _Draft, position: int, text: str) -> TensorRef | None:
        """The tensor a reference means, when it is final already: it names a node made
        earlier that is no variable or resource assign, at a position that takes a value.
        Resolving it now is what `finish` would do (an earlier name always wins), minus
        the record kept for the reference; anything else waits for `finish`."""
        if ":" in text or position in draft.opdef.ref_inputs \
                or position in draft.opdef.variable_inputs:
            return None
        full = self._lookup(text, self._scope, draft.name, draft.seen, earlier=True)
        target = self.drafts.get(full) if full is not None else None
        if target is None or target.opdef.source == "variable" or self._is_unread(target):
            return None
        return TensorRef(self.returns.get(full, full), 0)

    def _add_variable_read(self, var: _Draft) -> None:
        """The variable's own read: `x/Read/ReadVariableOp` (resource) or `x/read` (ref). TF
        makes it with the variable, under init_scope: outside any cond, as the variable is."""
        suffix = "read" if self._kind(var) == "ref" else "Read/ReadVariableOp"
        read = _Draft(self.namer.unique(f"{var.name}/{suffix}"), REGISTRY["read"],
                      [TensorRef(var.name, 0)], {}, var.device, var.loc, role="snapshot",
                      ref_positions=(0,), colocate=var.colocate, requested=var.requested)
        branch, self._branch = self._branch, None
        try:
            self._register(read, self._born.get(var.name))
        finally:
            self._branch = branch
        self._var_reads[var.name] = read.name

    # ---- finishing -------------------------------------------------------
    def finish(self) -> Graph:
        """Resolve references, attach control inputs, type every node, freeze."""
        self._check_alias_clashes()
        for draft in list(self.drafts.values()):  # EMAs first: they make names others may read
            if draft.opdef.expansion:
                self._resolve_inputs(draft)
                self._branch = self._branch_of.get(draft.name)   # what it makes is in its branch
                getattr(self, _EXPANSIONS[draft.opdef.expansion])(draft)
                self._branch = None
        for draft in list(self.drafts.values()):
            self._resolve_inputs(draft)
        self._capture_branches()
        self._colocate_requests()
        for draft in list(self.drafts.values()):
            if draft.opdef.control_inputs_only:
                self._expand_group(draft)
        ordered = self._ordered_drafts()
        if len(ordered) > limits.MAX_NODES:  # with the resource reads made while resolving
            raise SpecError(f"the graph has over {limits.MAX_NODES:,} nodes (the limit; raise it "
                            "with `idrun --max-nodes N`)", ordered[limits.MAX_NODES].loc)
        for draft in ordered:
            draft.controls = self._controls_of(draft)
        index = {d.name: i for i, d in enumerate(ordered)}
        if _has_later_dependency(ordered, index, self._back_edge):  # only then can there be a cycle
            graph = self._freeze_untyped(ordered)
            cycle = graph.find_cycle()
            if cycle:
                raise cycle_error(graph, cycle, self._written_edge)
            deps = [[index[r.node] for r in d.inputs if not self._back_edge(d, r)]
                    + ([index[d.shadow_of.node]] if d.shadow_of else []) for d in ordered]
            order = [ordered[i] for i in declaration_order(deps)]
        else:  # every dependency comes first: declaration order is the list's own
            order = ordered
        for draft in order:
            if draft.literal is MISSING:  # literals are typed by their consumer
                self._type(draft)
        return self._freeze(ordered)

    def _check_alias_clashes(self) -> None:
        for full, (_, loc) in self.aliases.items():
            if full in self.drafts:
                raise SpecError(f"alias '{full}' has the same name as a node "
                                f"(defined at {self.drafts[full].loc})", loc)

    def _resolve_inputs(self, draft: _Draft) -> None:
        for i, item in enumerate(draft.inputs):
            if isinstance(item, _Pending):
                ref = draft.inputs[i] = self._bind_input(draft, i, self.resolve(item))
                if item.seen is None or self._born.get(ref.node, -1) >= item.seen:
                    self._late_inputs[(draft.name, i)] = item.loc   # a reference ahead: a cycle can close here

    def _written_edge(self, node: str, dep: str) -> tuple[SourceLoc, str] | None:
        """Where the spec wrote that `node` waits for `dep` (a cycle's error points there):
        a `control_inputs` or `control_dependencies` item, or an input settled at the end."""
        draft = self.drafts[node]
        for controller in draft.active:
            names = self._resolved_controls.get(controller.uid, [])
            if dep in names:
                kind = "control_inputs" if controller.kind == "control_inputs" else "control_dependencies"
                return controller.refs[names.index(dep)].loc, f"{kind} entry"
        for i, ref in enumerate(draft.inputs):
            if ref.node == dep and (node, i) in self._late_inputs:
                return self._late_inputs[(node, i)], "input"
        return None

    def _bind_input(self, draft: _Draft, position: int, ref: TensorRef) -> TensorRef:
        """Route a variable input: itself for ref inputs, else through a read."""
        target = self.drafts[ref.node]
        is_variable = target.opdef.source == "variable" or self._forwards_variable(target)
        if self._is_unread(target) and position in draft.opdef.variable_inputs:
            self._resolve_inputs(target)  # TF works on the handle, after the assign (sparse_read)
            draft.extra_controls.append(target.name)
            target, ref, is_variable = self.drafts[target.inputs[0].node], target.inputs[0], True
        if is_variable and position in draft.opdef.variable_inputs and draft.role != "cond":
            draft.ref_positions += (position,)   # (a cond's merge reads a returned variable)
            return ref
        if position in draft.opdef.ref_inputs or draft.opdef.control_inputs_only:
            if position in draft.opdef.ref_inputs and not is_variable:
                raise SpecError(f"input '{draft.opdef.input_name(position)}' of "
                                f"{draft.opdef.name} must be a variable; '{ref.node}' is a "
                                f"{target.opdef.name}", draft.loc)
            if is_variable:
                draft.ref_positions += (position,)
            return ref
        if not is_variable:
            return self._unread_value(draft, target) if self._is_unread(target) and self.expand else ref
        if not self.expand:
            raise SpecError(f"input '{draft.opdef.input_name(position)}' of '{draft.name}' is variable "
                            f"'{ref.node}' itself; with `expand: false` a read is a node of its own "
                            "(op: read)", draft.loc)
        if self._kind(target) == "ref":
            return TensorRef(self._var_reads[ref.node], 0)
        return self._resource_read(draft, ref)

    def _forwards_variable(self, draft: _Draft) -> bool:
        """A ref-mode control-flow node passing a variable itself on (TF's RefSwitch,
        RefEnter, RefMerge...): a ref input may read it, as the variable."""
        seen, index = 0, 0
        walking = self._walking   # a loop's cycle (merge, switch, next_iteration) ends the walk
        while draft.opdef.name in FORWARDING_OPS and draft.role != "cond" and draft.inputs and seen < 1000:
            if draft.name in walking:
                return False
            walking.add(draft.name)
            try:
                self._resolve_inputs(draft)
            finally:
                walking.discard(draft.name)
            ref = draft.inputs[index if draft.opdef.name == "identity_n" and index < len(draft.inputs) else 0]
            draft, index, seen = self.drafts.get(ref.node) or self.late[ref.node], ref.index, seen + 1
            if draft.opdef.source == "variable":
                return True
        return False

    def _is_unread(self, draft: _Draft) -> bool:
        """A resource assign: TF's Python returns an `_UnreadVariable` for it."""
        return draft.opdef.assigns and self._kind(draft) == "resource"

    def _kind(self, draft: _Draft) -> str:
        """"resource" or "ref": a variable's own kind (`resource:`, else the graph's mode), or
        that of the variable an op on variables (an assign, a forwarding node) works on, its
        first input followed back (`Graph.kind_of` answers the same for the built graph)."""
        seen: set[str] = set()
        while draft is not None and draft.name not in seen:
            seen.add(draft.name)
            if draft.opdef.source == "variable":
                own = draft.attrs.get("resource")
                return self.variables if own is None else ("resource" if own else "ref")
            if not draft.inputs:
                break
            item = draft.inputs[0]
            if type(item) is not TensorRef:
                try:
                    item = self.resolve_written(item)
                except SpecError:   # a reference the build reports where it settles it
                    break
            draft = self.drafts.get(item.node) or self.late.get(item.node)
        return self.variables

    def _unread_value(self, consumer: _Draft, assign: _Draft) -> TensorRef:
        """A resource assign returns TF's `_UnreadVariable`: each use reads the variable
        anew, with a control input on the assign (B4), as any resource read (C2), but in
        the consumer's device scope (its `value()` does not clear it as a variable's does)."""
        self._resolve_inputs(assign)
        read = self._resource_read(consumer, assign.inputs[0])
        draft = self.late[read.node]
        draft.extra_controls.append(assign.name)
        draft.device, draft.requested, draft.device_from = (
            consumer.device, consumer.requested, "block" if consumer.device else "")
        return read

    def _resource_read(self, consumer: _Draft, var: TensorRef) -> TensorRef:
        """A read of its own for this consumer, created with it (C2)."""
        read = _Draft(self.namer.unique(f"{consumer.name}/ReadVariableOp"), REGISTRY["read"],
                      [var], {}, "", consumer.loc, active=consumer.active,
                      role="read", ref_positions=(0,))  # reads request no device (C3)
        self.before.setdefault(consumer.name, []).append(read)
        self.late[read.name] = read
        return TensorRef(read.name, 0)

    def resolve(self, pending: _Pending) -> TensorRef:
        """The tensor a reference means: the entry it names (see `resolve_written`), or the
        identity TF's Python returns for that entry (embedding_lookup)."""
        if type(pending) is TensorRef:  # settled when it was written (`_settled`)
            return pending
        ref = self.resolve_written(pending)
        if ref.index == 0 and ref.node in self.returns:
            return TensorRef(self.returns[ref.node], 0)
        return ref

    def resolve_written(self, pending: _Pending, earlier_only: bool = False,
                        seen: frozenset = frozenset()) -> TensorRef:
        """The entry a reference names, aliases followed: what existed when it was written,
        else (unless `earlier_only`, as the exporter's TF program needs) a forward
        reference to what exists now."""
        text, loc = pending.text, pending.loc
        if not isinstance(text, str) or not text:
            raise SpecError(f"a reference must be a node name, got {text!r}", loc)
        name, index = _split_ref(text, loc)
        scope, owner, born = pending.scope, pending.owner, pending.seen
        full = self._lookup(name, scope, owner, born, earlier=True)
        if full is None and not earlier_only:
            full = self._lookup(name, scope, owner, born, earlier=False)
        if full in self.aliases:
            return self._follow_alias(full, index, loc, seen, earlier_only)
        if full in self.drafts:
            return TensorRef(full, 0 if index is None else index)
        known = list(self.drafts) + list(self.aliases)
        raise SpecError(f"unknown reference '{text}'", loc, did_you_mean(name, known))

    def _lookup(self, name: str, scope: str, owner: str, seen: int | None,
                earlier: bool) -> str | None:
        """The full name `name` means, written in `scope` by `owner` (never itself) when
        `seen` names were born, innermost scope first."""
        if not scope:  # the root scope: one candidate (most references)
            if name == owner or name not in self.aliases and name not in self.drafts:
                return None
            if earlier and seen is not None and self._born.get(name, -1) >= seen:
                return None
            return name
        for outer in enclosing_scopes(scope):
            full = join(outer, name)
            if full == owner or full not in self.aliases and full not in self.drafts:
                continue
            if earlier and seen is not None and self._born.get(full, -1) >= seen:
                continue
            return full
        return None

    def _follow_alias(self, full: str, index: int | None, loc: SourceLoc, seen: frozenset,
                      earlier_only: bool) -> TensorRef:
        if index not in (None, 0):
            raise SpecError(f"'{full}' is an alias of one tensor; drop ':{index}'", loc)
        if full in seen:
            raise SpecError(f"alias cycle: {' -> '.join(seen)} -> {full}", loc)
        return self.resolve_written(self.aliases[full][0], earlier_only, seen | {full})

    def _ordered_drafts(self) -> list[_Draft]:
        out = []
        for draft in self.drafts.values():
            out.extend(self.before.get(draft.name, ()))
            out.append(draft)
        self.drafts = {d.name: d for d in out}
        return out

    def _controls_of(self, draft: _Draft) -> tuple[str, ...]:
        """Block control inputs after TF's pruning (A3, A4), then explicit ones. Records
        where each came from and what was dropped and why (graph.Provenance)."""
        if not draft.active and not draft.extra_controls:  # most nodes: nothing to attach
            return ()
        data_nodes = {ref.node for ref in draft.inputs}
        dominated: dict[int, str] = {}   # controller uid -> the data input created in it
        for ref in draft.inputs:
            for uid in self.drafts[ref.node].member_of:
                dominated.setdefault(uid, ref.node)
        out: dict[str, None] = {}   # ordered and linear: a group may have 10,000 members
        sources: list[ControlSource] = []
        current: dict[str, SourceLoc | None] = {}  # TF skips deps an enclosing block has (A4)
        for controller in draft.active:
            names = self._controller_nodes(controller)
            effective = []
            for n in names:
                if n in current:
                    self._drop(draft, n, controller, "enclosing", str(current[n] or ""))
                else:
                    effective.append(n)
            current.update((n, controller.loc) for n in names if n not in current)
            if controller.uid in dominated:
                for n in effective:
                    self._drop(draft, n, controller, "dominated", dominated[controller.uid])
                continue
            for n in effective:
                if n in data_nodes:
                    self._drop(draft, n, controller, "data_input", n)
                elif n not in out:
                    out[n] = None
                    sources.append(ControlSource(n, controller.loc, controller.kind))
        for n in draft.extra_controls:
            if n not in out:
                out[n] = None
                sources.append(ControlSource(n, draft.loc, "implicit"))
        if sources:
            self._sources[draft.name] = tuple(sources)
        return tuple(out)

    def _drop(self, draft: _Draft, control: str, controller: _Controller, reason: str,
              by: str) -> None:
        self._dropped.append(DroppedControl(draft.name, control, controller.loc, controller.kind,
                                            reason, by))

    def _provenance(self, graph: Graph) -> Provenance:
        """What `idrun check` needs about control dependencies; linear in the graph."""
        used: set[int] = set()
        for draft in self.drafts.values():
            if draft.active:
                used.update(c.uid for c in draft.active)
        empty = []
        for controller, start, end in self._blocks:
            if controller.uid in used:
                continue
            made = self._created[start:end]
            empty.append(EmptyBlock(controller.loc, controller.kind, self._quiet_nodes(controller),
                                    tuple(n for n in made if n in self.drafts),
                                    tuple(n for n in made if n in self.aliases)))
        alias_blocks = [AliasBlock(full, loc, graph.aliases[full],
                                   tuple((c.loc, self._quiet_nodes(c)) for c in controllers))
                        for full, loc, controllers in self._alias_blocks if full in graph.aliases]
        return Provenance(dict(self._sources), list(self._dropped), alias_blocks, empty)

    def _quiet_nodes(self, controller: _Controller) -> tuple[str, ...]:
        """A block's dependencies by name, without raising: a block nothing used was never
        resolved, and an unknown name there must not become an error now."""
        if controller.uid in self._resolved_controls:
            return tuple(self._resolved_controls[controller.uid])
        out = []
        for pending in controller.refs:
            try:
                out.append(self.resolve(pending).node)
            except SpecError:
                out.append(str(pending.text))
        return tuple(out)

    def _controller_nodes(self, controller: _Controller) -> list[str]:
        """The nodes a block depends on, resolved once for all the drafts made in it."""
        if controller.uid not in self._resolved_controls:
            self._resolved_controls[controller.uid] = [
                self.resolve(pending).node for pending in controller.refs]
        return self._resolved_controls[controller.uid]

    def _back_edge(self, draft: _Draft, ref: TensorRef) -> bool:
        producer = self.drafts[ref.node]
        return is_back_edge(flow_op(draft.opdef.name, draft.attrs), flow_op(producer.opdef.name, producer.attrs))

    def _freeze_untyped(self, ordered: list[_Draft]) -> Graph:
        graph = Graph(variables=self.variables)
        for d in ordered:
            graph.add(Node(d.name, d.opdef.name, tuple(d.inputs), d.controls, {}, d.device, d.loc))
        return graph

    def _type(self, draft: _Draft) -> None:
        if draft.shadow_of is not None:
            self._init_shadow(draft)
        in_types, in_consts = [], []
        for i, ref in enumerate(draft.inputs):
            source = self.drafts.get(ref.node) or self.late[ref.node]  # a read made early (gradients)
            if not source.outputs and self._back_edge(draft, ref):  # typed after the loop's merge
                in_types.append(None)
                in_consts.append(None)
                continue
            if source.literal is not MISSING and not source.outputs:
                self._type_literal(source, draft, i)
            if ref.index >= len(source.outputs):
                raise SpecError(_index_error(ref, len(source.outputs)), draft.loc)
            in_types.append(source.outputs[ref.index])
            in_consts.append(source.attrs["value"] if source.opdef.source == "const" else None)
        real = len(draft.inputs) - draft.helper_count
        in_types, in_consts = in_types[:real], in_consts[:real]
        key = (draft.opdef.name, *in_types) if draft.opdef.elementwise and not draft.attrs \
            and draft.opdef.static_check is None else None
        known = self._typed.get(key) if key is not None else None
        if known is not None:  # an elementwise op's types follow its inputs'
            draft.outputs = known
            return
        try:
            draft.outputs = tuple(draft.opdef.infer(draft.attrs, in_types, in_consts))
            _check_sizes(draft.outputs)
            if key is not None:
                self._typed[key] = draft.outputs
            if draft.opdef.static_check and draft.inputs and None not in in_consts:
                draft.opdef.static_check(draft.attrs, in_consts, [str(r) for r in draft.inputs])
        except InferError as exc:
            message = f"{draft.opdef.name} '{draft.name}': {exc}"
            outputs = self.on_infer_error(draft, message) if self.on_infer_error is not None else None
            if outputs is None:
                raise SpecError(message, draft.loc) from None
            draft.outputs = outputs

    def _init_shadow(self, shadow: _Draft) -> None:
        """A shadow starts at its variable's initial value, or zeros for a tensor (B5)."""
        ref = shadow.shadow_of
        source = self.drafts[self._averaged_node(ref)]
        t = self.drafts[ref.node].outputs[ref.index]
        if source.opdef.source == "variable":
            shadow.attrs.update(value=source.attrs["value"], dtype=t.dtype)
            return
        if t.shape is None or None in t.shape:
            raise SpecError(f"cannot average '{ref}': its shape {t} is not fully known", shadow.loc)
        shadow.attrs.update(value=_zeros(t.shape), dtype=t.dtype)

    def _type_literal(self, const: _Draft, consumer: _Draft, position: int) -> None:
        """An implicit constant takes the dtype of its typed sibling input (`add(x, 1)`)."""
        dtype = None
        if position in consumer.opdef.typed_with:
            for j in consumer.opdef.typed_with:
                sibling = (self.drafts.get(consumer.inputs[j].node) or self.late.get(consumer.inputs[j].node)) \
                    if j < len(consumer.inputs) else None
                if sibling is not None and sibling.literal is MISSING and sibling.outputs:
                    dtype = sibling.outputs[consumer.inputs[j].index].dtype
                    break
        try:
            dtype, shape = literal_type(const.literal, dtype)
        except ValueError as exc:
            raise SpecError(f"input '{consumer.opdef.input_name(position)}' of {consumer.opdef.name}: "
                            f"{exc}", const.loc) from None
        const.attrs["dtype"] = dtype
        const.outputs = (TensorType(dtype, shape),)

    def _freeze(self, ordered: list[_Draft]) -> Graph:
        graph = Graph(variables=self.variables)
        for d in ordered:
            graph.add(Node(d.name, d.opdef.name, tuple(d.inputs), d.controls, freeze_attrs(d.attrs),
                           d.device, d.loc, d.outputs, d.ref_positions, self._is_ref_output(d), d.role,
                           d.device_from, d.colocate, d.helper_count, d.requested))
        for full, (pending, _) in self.aliases.items():
            graph.aliases[full] = self.resolve_written(pending)  # fetch_redirects map it on
        graph.fetch_redirects = {n: TensorRef(r, 0) for n, r in self.returns.items()}
        graph.provenance = self._provenance(graph)
        graph.training = list(self.training)
        graph.device_locs = {str(device): loc for device, loc in self._device_locs.items()}
        graph.fetch_redirects.update({v: TensorRef(r, 0) for v, r in self._var_reads.items()
                                      if self._kind(self.drafts[v]) == "resource"})
        graph.fetch_redirects.update({a: TensorRef(r, 0) for a, r in self._assign_reads.items()})
        return graph


    def _is_ref_output(self, draft: _Draft) -> bool:
        """Ref mode: a variable's output and an assign's (which TF types `float32_ref`) are the
        ref itself; such edges are never shared between consumers (G4)."""
        return (draft.opdef.source == "variable" or draft.opdef.assigns) and self._kind(draft) == "ref"


_EXPANSIONS = {"moving_average": "_expand_ema"}  # OpDef.expansion -> builder method


def _has_later_dependency(ordered: list[_Draft], index: dict[str, int], back_edge) -> bool:
    """Whether some draft depends (data, control, or an EMA shadow's averaged tensor) on
    itself or one after it: a graph whose every dependency comes earlier has no cycle and
    is typed in its own order (the common case, checked in one pass instead of building an
    untyped graph to search and ordering it with a heap)."""
    for i, d in enumerate(ordered):
        for r in d.inputs:
            if index[r.node] >= i and not back_edge(d, r):
                return True
        for c in d.controls:
            if index[c] >= i:
                return True
        if d.shadow_of is not None and index[d.shadow_of.node] >= i:
            return True
    return False


def _check_sizes(outputs: tuple) -> None:
    """Refuse a tensor whose element count would exhaust memory before anything runs."""
    for t in outputs:
        n = num_elements(t.shape)
        if n is not None and n > limits.MAX_TENSOR_ELEMENTS:
            raise InferError(f"a {t} tensor has {n:,} elements, over the limit of "
                             f"{limits.MAX_TENSOR_ELEMENTS:,} (raise it with `idrun --max-tensor-elements N`)")


def _zeros(shape: tuple) -> Any:
    if not shape:
        return 0.0
    return [_zeros(shape[1:]) for _ in range(shape[0])]


def _check_keys(entry: YMap, allowed: tuple[str, ...], what: str) -> None:
    for key in entry:
        if key not in allowed:
            raise SpecError(f"unknown key '{key}' for {what}", key_loc(entry, key),
                            did_you_mean(str(key), allowed))


def _node_attrs(opdef: OpDef, entry: YMap, loc: SourceLoc) -> dict:
    attrs = {}
    for a in opdef.attrs:
        if a.name not in entry:
            if a.required:
                raise SpecError(f"op '{opdef.name}' needs attribute '{a.name}'", loc)
            attrs[a.name] = a.check(a.default) if a.check and a.default is not None else a.default
            continue
        try:
            attrs[a.name] = _plain(a.check(entry[a.name]) if a.check else entry[a.name])
        except ValueError as exc:
            raise SpecError(f"attribute '{a.name}' of {opdef.name}: {exc}", loc_of(entry, a.name)) from None
    if "value" in attrs and (opdef.source == "const" or (opdef.source == "variable"
                                                          and attrs["value"] is not None)):
        try:
            literal_type(attrs["value"], attrs.get("dtype"))
        except ValueError as exc:
            raise SpecError(f"bad value for {opdef.name}: {exc}", loc_of(entry, "value")) from None
    return attrs


def _written_helpers(opdef: OpDef, attrs: dict, entry: YMap) -> int:
    """`expand: false`: the helper constants TF's Python made are written as trailing inputs."""
    if opdef.helpers is None:
        return 0
    n = len(opdef.helpers(attrs, False))
    raw = entry.get("inputs") or []
    return n if isinstance(raw, list) and not opdef.variadic and len(raw) == len(opdef.inputs) + n else 0


def _input_list(opdef: OpDef, entry: YMap, loc: SourceLoc, helpers: int = 0, raw: Any = None) -> list:
    if raw is None:
        raw = entry.get("inputs", [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise SpecError("`inputs` must be a list", loc_of(entry, "inputs"))
    expected = len(opdef.inputs)
    if opdef.variadic and len(raw) < opdef.min_inputs:
        raise SpecError(f"op '{opdef.name}' takes one or more inputs {opdef.arity_text()}, got 0",
                        loc_of(entry, "inputs", loc))
    if not opdef.variadic and len(raw) != expected + helpers:
        raise SpecError(f"op '{opdef.name}' takes {expected} input{'s' * (expected != 1)} "
                        f"{opdef.arity_text()}, got {len(raw)}", loc_of(entry, "inputs", loc) if "inputs" in entry else loc)
    return list(raw)


class CollectionMember:
    """An input that a `{collection: NAME}` reference gave: the member `name` at `index` of the
    collection `key` when the entry was read (the exporter writes `tf1.get_collection(key)[index]`)."""

    __slots__ = ("name", "loc", "key", "index")

    def __init__(self, name: str, loc: SourceLoc, key: str, index: int) -> None:
        self.name, self.loc, self.key, self.index = name, loc, key, index


def _plain(value: Any) -> Any:
    """YAML containers as plain lists and dicts (attributes must not carry locations)."""
    if isinstance(value, YList):
        return [_plain(v) for v in value]
    if isinstance(value, YMap):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _split_ref(text: str, loc: SourceLoc) -> tuple[str, int | None]:
    name, sep, index = text.rpartition(":")
    if not sep:
        return text, None
    if index.startswith("-") and index[1:].isdigit():
        raise SpecError(f"'{text}': output index must be >= 0", loc)
    if not index.isdigit():
        raise SpecError(f"'{text}': the part after ':' must be an output index", loc)
    return name, int(index)


def _index_error(ref: TensorRef, count: int) -> str:
    return (f"The name '{ref}' refers to a Tensor which does not exist. The operation, "
            f"'{ref.node}', exists but only has {count} output{'s' * (count != 1)}.")

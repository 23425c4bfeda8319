"""Reusable blocks: `templates:` defines a block once with parameters; `use:` instantiates it.

    templates:
      conv_layer:
        params: {input: null, act: relu}     # a null default means required
        output: act                           # optional: the instance's own name refers here
        nodes:
          - {name: conv, op: conv2d, inputs: [$input, weights], padding: SAME}
          - {name: act, op: $act, inputs: [conv]}
    nodes:
      - {name: conv1, use: conv_layer, with: {input: images}}
      - {name: enc, use: conv_layer, with: {input: conv1, act: identity}}

An instance is a block under `name_scope: <name>` (uniquified like any scope)
whose node entries have every string `$param` replaced by the argument
(any YAML value) and `${param}` inside longer strings by its text. The seed's
`conv_layer(..., act=tf.identity)` is this with `act: identity`.
"""

from __future__ import annotations

import re
from typing import Any

from idrun.errors import SourceLoc, SpecError, did_you_mean
from idrun.records import Record
from idrun.spec.yamlsrc import YList, YMap, key_loc, loc_of

_WHOLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
_INNER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
TEMPLATE_KEYS = ("params", "nodes", "output", "description")
USE_KEYS = ("name", "use", "with", "device", "control_dependencies")
REQUIRED = object()


class Template(Record):
    name: str
    params: dict[str, Any]  # name -> default (REQUIRED when none)
    nodes: YList
    output: str | None
    loc: SourceLoc

    def __init__(self, name: str, params: dict[str, Any], nodes: YList, output: str | None,
                 loc: SourceLoc) -> None:
        self.name = name
        self.params = params
        self.nodes = nodes
        self.output = output
        self.loc = loc


def parse_templates(doc: YMap) -> dict[str, Template]:
    section = doc.get("templates")
    if section is None:
        return {}
    if not isinstance(section, YMap):
        raise SpecError("`templates` must map template names to definitions", loc_of(doc, "templates"))
    return {str(name): _template(str(name), body, loc_of(section, name)) for name, body in section.items()}


def _template(name: str, body: Any, loc: SourceLoc) -> Template:
    if not isinstance(body, YMap):
        raise SpecError(f"template '{name}' must be a mapping with `nodes:`", loc)
    for key in body:
        if key not in TEMPLATE_KEYS:
            raise SpecError(f"unknown key '{key}' for a template", key_loc(body, key),
                            did_you_mean(str(key), TEMPLATE_KEYS))
    if not isinstance(body.get("nodes"), list):
        raise SpecError(f"template '{name}' needs a `nodes:` list", loc)
    params = body.get("params") or {}
    if isinstance(params, list):
        for i, p in enumerate(params):
            if not isinstance(p, str):
                raise SpecError("`params` as a list holds parameter names; give defaults as a "
                                "mapping: `params: {x: null, act: relu}`", loc_of(params, i))
        params = {p: None for p in params}
    if not isinstance(params, dict):
        raise SpecError("`params` must be a list of names or a mapping of name to default",
                        loc_of(body, "params"))
    defaults = {str(k): (REQUIRED if v is None else v) for k, v in params.items()}
    return Template(name, defaults, body["nodes"], body.get("output"), loc)


def instantiate(template: Template, entry: YMap, loc: SourceLoc) -> YList:
    """The template's node entries with this instance's arguments substituted."""
    for key in entry:
        if key not in USE_KEYS:
            raise SpecError(f"unknown key '{key}' for a template instance", key_loc(entry, key),
                            did_you_mean(str(key), USE_KEYS))
    args = entry.get("with") or {}
    if not isinstance(args, dict):
        raise SpecError("`with` must map parameter names to values", loc_of(entry, "with"))
    for name in args:
        if name not in template.params:
            raise SpecError(f"template '{template.name}' has no parameter '{name}'",
                            key_loc(args, name) if isinstance(args, YMap) else loc,
                            did_you_mean(str(name), template.params))
    values = {}
    for name, default in template.params.items():
        if name not in args and default is REQUIRED:
            raise SpecError(f"template '{template.name}' needs parameter '{name}'", loc)
        values[name] = args.get(name, default)
    return _substitute(template.nodes, values, template)


def values_in(value: Any, sizes: dict[int, int]) -> int:
    """The scalars a value holds (nested lists and mappings), each list counted once (`sizes`,
    by id: an argument passed down from instance to instance is one object)."""
    if not isinstance(value, (list, dict)):
        return 1
    known = sizes.get(id(value))
    if known is None:
        items = value.values() if isinstance(value, dict) else value
        known = sizes[id(value)] = 1 + sum(values_in(v, sizes) for v in items)
    return known


def _substitute(value: Any, args: dict[str, Any], template: Template) -> Any:
    if isinstance(value, YMap):
        out = YMap((k, _substitute(v, args, template)) for k, v in value.items())
        out.loc, out.key_locs, out.value_locs = value.loc, value.key_locs, value.value_locs
        return out
    if isinstance(value, YList):
        out = YList(_substitute(v, args, template) for v in value)
        out.loc, out.item_locs = value.loc, value.item_locs
        return out
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole:
            return _arg(whole.group(1), args, template)
        return _INNER.sub(lambda m: str(_arg(m.group(1), args, template)), value)
    return value


def _arg(name: str, args: dict[str, Any], template: Template) -> Any:
    if name not in args:
        raise SpecError(f"template '{template.name}' uses ${name}, which is not one of its "
                        f"params ({', '.join(args) or 'none'})", template.loc)
    return args[name]

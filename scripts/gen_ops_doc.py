"""Write docs/ops.md, the op reference, from the registry (`--check`: exit 1 if it is stale).

Every fact comes from the OpDefs (`idrun ops` reads the same), so the reference cannot
drift from the code: tests/test_registry.py fails when this file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from idrun.commands.ops import op_rows  # noqa: E402
from idrun.ops import FAMILIES, REGISTRY  # noqa: E402

OUT = ROOT / "docs" / "ops.md"

HEAD = """# Op reference

Generated from the registry by `scripts/gen_ops_doc.py` (do not edit by hand; `idrun ops`
prints the same facts). `op` is the name a spec uses (TF's Python name where there is
one); `default name` names a node the entry leaves unnamed; `GraphDef types` are the TF op
types `idrun import` reads as this op and `idrun export --format graphdef` writes (resource
mode / ref mode). Inputs are positional, in TF's order; `?` marks an optional attribute.
How each family matches TF's values, bit for bit or within a stated tolerance, is in its
module's docstring under `idrun/ops/`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _types(op) -> str:
    types = [op.tf_op] if op.tf_op else []
    if op.tf_ref_op and op.tf_ref_op != op.tf_op:
        types.append(f"{op.tf_ref_op} (ref)")
    types += [t for t in op.tf_import_ops if t not in types]
    return ", ".join(f"`{t}`" for t in types) or "-"


def render() -> str:
    rows = {r["op"]: r for r in op_rows()}
    out = [HEAD]
    for family in FAMILIES:
        title = family.__name__.rsplit(".", 1)[1]
        summary = " ".join((family.__doc__ or "").strip().split("\n\n")[0].split())
        out += [f"## `{title}`: {summary}", "",
                "| op | default name | GraphDef types | inputs | attributes | what it does |",
                "| --- | --- | --- | --- | --- | --- |"]
        for op in family.OPS:
            r = rows[op.name]
            out.append(f"| `{op.name}` | `{r['type']}` | {_types(op)} | {_cell(r['inputs'])} | "
                       f"{_cell(r['attributes'])} | {_cell(r['doc'])} |")
        out.append("")
    out.append(f"{len(REGISTRY)} ops.")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv[:1] == ["--check"]:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run python scripts/gen_ops_doc.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

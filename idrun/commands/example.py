"""`idrun example [NAME]`: the gallery's specs, packaged with idrun (idrun/examples, a link
to graphs/ in the repository; the wheel holds copies), listed or printed (no numpy)."""

from __future__ import annotations

from importlib import resources
from typing import TextIO

from idrun.errors import UsageError

SEED = "control_deps_identity"


def examples() -> dict[str, str]:
    """Name -> spec text, of every packaged spec that stands alone. A spec that reads a
    file (`{file: ...}`, parse_example_named's TFRecord) is left out: printed on its own
    it could not run."""
    root = resources.files("idrun") / "examples"
    found = {}
    if root.is_dir():
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                text = entry.read_text(encoding="utf-8")
                if "{file:" not in text:
                    found[entry.name[:-len(".yaml")]] = text
    return found


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("name:"):
            return line[len("name:"):].strip()
    return ""


def show_example(name: str | None, out: TextIO) -> None:
    specs = examples()
    if name is None:
        width = max(map(len, specs), default=0)
        if SEED in specs:
            out.write(f"{'seed':<{width}}  the seed graph: {SEED}\n")
        for key, text in specs.items():
            out.write(f"{key:<{width}}  {_title(text)}\n")
        return
    key = name[:-len(".yaml")] if name.endswith(".yaml") else name
    if key == "seed":
        key = SEED
    if key not in specs:
        import difflib
        close = difflib.get_close_matches(key, ["seed", *specs], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UsageError(f"no example named '{name}'{hint} (`idrun example` lists them)")
    # the editor's schema line points into the repository (../idrun.schema.json): not kept
    out.write("".join(line for line in specs[key].splitlines(keepends=True)
                      if not line.startswith("# yaml-language-server:")))

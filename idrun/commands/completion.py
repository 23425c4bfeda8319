"""`idrun completion bash|zsh|fish`: the shell's completion script, and node names for it.

The script is click's: the shell calls idrun back with `_IDRUN_COMPLETE` set.
After `--fetch` and `--target` the candidates are the spec's node and alias
names, read from the SPEC on the command line (wherever it stands: click has
parsed it into `ctx.params` when it came first, else it is among the raw args).
Loading a spec for completion imports neither numpy nor rich.
"""

from __future__ import annotations

import os
from typing import Any

import click
from click.shell_completion import CompletionItem, get_completion_class

SHELLS = ("bash", "zsh", "fish")


def completion_script(prog: Any, shell: str) -> str:
    cls = get_completion_class(shell)
    return cls(prog, {}, "idrun", "_IDRUN_COMPLETE").source()


def complete_names(ctx: click.Context, param: click.Parameter, incomplete: str,
                   words: list[str] = ()) -> list[CompletionItem]:
    """Node names for `--fetch a,b<TAB>`: the last comma-separated part is completed. `words`:
    the command line the shell sent (SPEC may come after the option, click issue 2184)."""
    path = ctx.params.get("spec_path") or _spec_in(list(ctx.args) + list(words))
    if not path or not os.path.isfile(path):  # a FIFO or device would block the shell
        return []
    try:
        from idrun.spec import load_spec
        graph = load_spec(path).graph
    except Exception:  # noqa: BLE001 - completion must never break the shell
        return []
    done, _, part = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    names = sorted(set(graph.nodes) | set(graph.aliases))
    return [CompletionItem(prefix + n) for n in names if n.startswith(part)]


def _spec_in(args: list[str]) -> str | None:
    return next((a for a in args if a.endswith((".yaml", ".yml"))), None)

"""`idrun completion bash|zsh|fish`: the shell's completion script, and what a TAB offers.

How a TAB works: the script runs idrun again with `_IDRUN_COMPLETE=SHELL_complete` and the
command line in the environment; click finds the option or argument at the cursor and calls
its `shell_complete`, one of the functions below; the shell class here writes the candidates
in the form its script reads. What is offered, from the SPEC on the same command line
(before or after the cursor; fish gives only what is before it):

- `--fetch`, `--target` (comma-separated lists): node and alias names, for the last part;
  `y:` gives the node's outputs, `y:0`, `y:1`.
- `explain SPEC NODE`: node and alias names.
- `--feed`: `NAME=` for the spec's placeholders (every name when no placeholder matches),
  then files after `NAME=@` (directories, and .npy and .tfrecord files when there are any).

The scripts are click's (the same protocol, so a script written by an older idrun still
gets candidates), with what click gets wrong fixed (click issue 2847 among them): a value
typed as `--fetch=y,tow` is answered with whole words that keep the `--fetch=` (zsh and fish
replace the whole word); fish splits a candidate at its first comma only; bash gets words as
the user typed them (`COMP_LINE`, not `COMP_WORDS`, which bash splits at `=`, `:` and `@`)
and only the part readline replaces, escaped; names and directories end without a space.

A TAB must answer fast and never print on the prompt: loading a spec imports neither numpy
nor rich; a spec that is not a regular file, is over `MAX_SPEC_BYTES`, does not load, or
takes over `LOAD_SECONDS` to load completes nothing; and nothing but the candidates is
written (a warning or an error in here means no candidates).
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from typing import Any, Iterable, Iterator

import click
from click.shell_completion import (BashComplete, CompletionItem, FishComplete, ShellComplete,
                                    ZshComplete, add_completion_class, split_arg_string)

SHELLS = ("bash", "zsh", "fish")
MAX_SPEC_BYTES = 8 * 2**20   # larger specs complete nothing, unread: a TAB must not wait ...
LOAD_SECONDS = 1.0           # ... nor for one that takes longer than this to load (tens of thousands of nodes)
MAX_DIR_ENTRIES = 5000       # entries of a directory looked at for `--feed NAME=@...`
FEED_SUFFIXES = (".npy", ".tfrecord")
_PLACEHOLDERS = ("placeholder", "placeholder_with_default")


def completion_script(prog: Any, shell: str) -> str:
    return _CLASSES[shell](prog, {}, "idrun", "_IDRUN_COMPLETE").source()


# -- what a TAB offers: called by click through each option's `shell_complete` -------------

def complete_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`--fetch a,b<TAB>`: the last comma-separated part, among names not already listed."""
    names = _spec_names(ctx)
    if names is None:
        return []
    done, comma, part = incomplete.rpartition(",")
    head = done + comma
    taken = set(done.split(","))
    return [_item(head + n, head) for n in names.matching(part) if n not in taken]


def complete_node(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`explain SPEC NODE<TAB>`: a node or alias name."""
    names = _spec_names(ctx)
    return [] if names is None else [_item(n) for n in names.matching(incomplete)]


def complete_feed(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`--feed NAME=@path`: first `NAME=`, then the files after `NAME=@` (a literal after
    `NAME=` is the user's to type)."""
    name, eq, value = incomplete.partition("=")
    if eq:
        if not value.startswith("@"):
            return []
        head, partial = f"{name}=@", value[1:]
        shown_from = head + partial[:partial.rfind("/") + 1]   # zsh lists the base names
        return [_item(head + p, shown_from, nospace=p.endswith("/")) for p in _paths(partial)]
    names = _spec_names(ctx)
    if names is None:
        return []
    fed = names.matching(name, names.placeholders) or names.matching(name)
    return [_item(n + "=", nospace=True) for n in fed]


def _item(value: str, hidden: str = "", nospace: bool = False) -> CompletionItem:
    """A candidate: the whole word; `hidden`, its start that zsh does not list (what was
    typed before the last comma, `=@` or `/`); `nospace` when more is typed after it."""
    return CompletionItem(value, hidden=hidden, nospace=nospace)


class _Names:
    """The names a spec's graph answers to: nodes (with their output counts), aliases and
    placeholders."""

    def __init__(self, outputs: dict[str, int], aliases: Iterable[str], placeholders: list[str]) -> None:
        self.outputs = outputs
        self.all = sorted(set(outputs) | set(aliases))
        self.placeholders = sorted(placeholders)

    def matching(self, part: str, among: list[str] | None = None) -> list[str]:
        """The names that start with `part`; after `node:`, the node's outputs."""
        node, colon, _ = part.partition(":")
        if colon:
            outs = [f"{node}:{i}" for i in range(self.outputs.get(node, 0))]
            return [n for n in outs if n.startswith(part)]
        return [n for n in (self.all if among is None else among) if n.startswith(part)]


def _spec_names(ctx: click.Context) -> _Names | None:
    """The names of the SPEC on the command line; None when there is none, it is not a
    regular file (a FIFO would block the shell), it is large, or it does not load."""
    try:
        path = os.path.expanduser(_spec_path(ctx) or "")   # the shell expands `~` only when it runs
        if not path or not os.path.isfile(path) or os.path.getsize(path) > MAX_SPEC_BYTES:
            return None
        from idrun.spec import load_spec
        with _time_limit(LOAD_SECONDS):
            graph = load_spec(path).graph
    except Exception:  # noqa: BLE001 - a spec that does not load (in time) completes nothing
        return None
    placeholders = [n for n, node in graph.nodes.items() if node.op in _PLACEHOLDERS]
    return _Names({n: len(node.outputs) for n, node in graph.nodes.items()}, graph.aliases, placeholders)


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TooSlow in the block after `seconds` (where there is SIGALRM, in the main thread)."""
    import signal

    def expire(signum: int, frame: Any) -> None:
        raise _TooSlow()
    try:
        previous = signal.signal(signal.SIGALRM, expire)
    except (AttributeError, ValueError):   # no SIGALRM (Windows), or not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _spec_path(ctx: click.Context) -> str | None:
    """SPEC as click parsed it before the cursor, else from the whole command line (the
    shell's words; SPEC may come after the option being completed, click issue 2184)."""
    path = ctx.params.get("spec_path") or next(iter(ctx.params.get("spec_paths") or ()), None)
    if path:
        return path
    words = _LINE[:]
    if ctx.info_name in words[1:]:
        rest = words[words.index(ctx.info_name, 1) + 1:]
        try:
            with ctx.command.make_context(ctx.info_name, rest, parent=ctx.parent,
                                          resilient_parsing=True) as full:
                params = full.params
            path = params.get("spec_path") or next(iter(params.get("spec_paths") or ()), None)
            if path:
                return path
        except (click.ClickException, click.exceptions.Exit):  # a half-typed option
            pass
    return next((w for w in words if w.endswith((".yaml", ".yml"))), None)


def _paths(partial: str) -> list[str]:
    """Paths starting with `partial`: directories (ending in `/`), and the .npy and .tfrecord
    files, or every file when none is one. Dot files only after a typed dot."""
    head, slash, base = partial.rpartition("/")
    folder = head + slash or "."
    dirs, files = [], []
    try:
        with os.scandir(folder) as entries:
            for i, entry in enumerate(entries):
                if i >= MAX_DIR_ENTRIES:
                    break
                if not entry.name.startswith(base) or (entry.name.startswith(".") and not base.startswith(".")):
                    continue
                try:
                    (dirs if entry.is_dir() else files).append(entry.name)
                except OSError:
                    continue
    except OSError:
        return []
    feedable = [f for f in files if f.endswith(FEED_SUFFIXES)]
    prefix = head + slash
    return sorted(prefix + d + "/" for d in dirs) + sorted(prefix + f for f in (feedable or files))


# -- the shells: click's classes and scripts, fixed -----------------------------------------

_LINE: list[str] = []   # the whole command line's words, for a SPEC after the cursor


class _Answer:
    """What the three shells share: the line's words kept, `--opt=value` answered with whole
    words, and no output but the candidates."""

    def complete(self) -> str:
        try:
            with open(os.devnull, "w") as devnull:
                with contextlib.redirect_stderr(devnull), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return super().complete()  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - a TAB must never print a traceback on the prompt
            return ""

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        _LINE[:] = self.line_words()
        items = super().get_completions(args, incomplete)  # type: ignore[misc]
        if incomplete.startswith("--") and "=" in incomplete:   # click 2847: keep `--fetch=`
            head = incomplete.partition("=")[0] + "="
            items = [CompletionItem(head + i.value, hidden=head + (i.hidden or ""), nospace=i.nospace,
                                    help=i.help) if i.type == "plain" else i for i in items]
        return items

    def line_words(self) -> list[str]:
        return split_arg_string(os.environ.get("COMP_WORDS", ""))

    @staticmethod
    def protocol() -> int:
        """2 from idrun's own scripts (they read `nospace` and `prefix`), else 1: click's."""
        return 2 if os.environ.get("_IDRUN_COMP_V") == "2" else 1


_BASH = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response completion type value

    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \\
_IDRUN_COMP_LINE="$COMP_LINE" _IDRUN_COMP_POINT=$COMP_POINT _IDRUN_COMP_CUR="$2" \\
_IDRUN_COMP_V=2 %(complete_var)s=bash_complete $1 2>/dev/null)

    COMPREPLY=()
    for completion in $response; do
        type=${completion%%%%,*}
        value=${completion#*,}
        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'nospace' ]]; then
            compopt -o nospace
            COMPREPLY+=("$value")
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$value")
        fi
    done

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""


class _Bash(_Answer, BashComplete):
    """Words come from `COMP_LINE` as typed; each candidate is cut to what readline replaces
    (its word `$2` starts after the last of `COMP_WORDBREAKS`, `=`, `:`, ... but keeps `@`)
    and escaped, since bash inserts it as it is."""

    source_template = _BASH

    def get_completion_args(self) -> tuple[list[str], str]:
        if "_IDRUN_COMP_LINE" not in os.environ:   # click's script: its words, `=` mended
            args, incomplete = super().get_completion_args()
            if len(args) > 1 and args[-1] == "=" and args[-2].startswith("--"):
                args.pop()
            return args, incomplete
        line = os.fsencode(os.environ["_IDRUN_COMP_LINE"])
        point = int(os.environ.get("_IDRUN_COMP_POINT") or len(line))
        words = _split_before_cursor(os.fsdecode(line[:point]))
        return words[1:-1], words[-1]

    def line_words(self) -> list[str]:
        if "_IDRUN_COMP_LINE" in os.environ:
            return split_arg_string(os.environ["_IDRUN_COMP_LINE"])
        return super().line_words()

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        items = super().get_completions(args, incomplete)
        if "_IDRUN_COMP_LINE" not in os.environ:
            return items
        typed = "".join(split_arg_string(os.environ.get("_IDRUN_COMP_CUR", "")))
        cut = len(incomplete) - len(typed) if incomplete.endswith(typed) else 0
        return [CompletionItem(_bash_escape(i.value[cut:]), i.type, nospace=i.nospace)
                if i.type == "plain" and i.value.startswith(incomplete[:cut]) else i for i in items]

    def format_completion(self, item: CompletionItem) -> str:
        kind = "nospace" if item.nospace and item.type == "plain" and self.protocol() == 2 else item.type
        return f"{kind},{item.value}"


def _split_before_cursor(text: str) -> list[str]:
    """The words up to the cursor, the last one the word being completed ('' after a space)."""
    words = split_arg_string(text + "\x00")   # the mark ends the last word, or is a word alone
    last = words.pop()[:-1] if words and words[-1].endswith("\x00") else ""
    return [*words, last]


_BASH_SPECIAL = re.compile(r"""([\s"'\\$`&;|<>()*?\[\]{}!#~^])""")


def _bash_escape(text: str) -> str:
    return _BASH_SPECIAL.sub(r"\\\1", text)


_ZSH = """\
#compdef %(prog_name)s

%(complete_func)s() {
    local -a completions completions_nospace completions_with_descriptions response
    local -a hidden
    local type key descr
    (( ! $+commands[%(prog_name)s] )) && return 1

    response=("${(@f)$(env COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT-1)) \\
_IDRUN_COMP_V=2 %(complete_var)s=zsh_complete %(prog_name)s 2>/dev/null)}")

    for type key descr in ${response}; do
        if [[ "$type" == "prefix" ]]; then
            hidden=(-p "${(q)key}")
        elif [[ "$type" == "plain" ]]; then
            if [[ "$descr" == "_" ]]; then
                completions+=("$key")
            else
                completions_with_descriptions+=("$key":"$descr")
            fi
        elif [[ "$type" == "nospace" ]]; then
            completions_nospace+=("$key")
        elif [[ "$type" == "dir" ]]; then
            _path_files -/
        elif [[ "$type" == "file" ]]; then
            _path_files -f
        fi
    done

    if [ -n "$completions_with_descriptions" ]; then
        _describe -V unsorted completions_with_descriptions -U
    fi

    if [ -n "$completions" ]; then
        compadd -U -V unsorted "${hidden[@]}" -a completions
    fi

    if [ -n "$completions_nospace" ]; then
        compadd -U -V unsorted -S '' "${hidden[@]}" -a completions_nospace
    fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    # autoload from fpath, call function directly
    %(complete_func)s "$@"
else
    # eval/source/. command, register function for later
    compdef %(complete_func)s %(prog_name)s
fi
"""


class _Zsh(_Answer, ZshComplete):
    """The candidates' common start (`hidden`) goes first as a `prefix` entry, inserted but
    not listed: `--fetch=y,tow<TAB>` lists `tower/z`, as zsh lists files by their base name."""

    source_template = _ZSH
    _hidden = ""

    def complete(self) -> str:
        out = super().complete()
        return f"prefix\n{self._hidden}\n_\n{out}" if out and self._hidden else out

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        items = super().get_completions(args, incomplete)
        hidden = {i.hidden for i in items}
        self._hidden = (hidden.pop() or "") if self.protocol() == 2 and len(hidden) == 1 else ""
        return items

    def format_completion(self, item: CompletionItem) -> str:
        value = item.value
        if self._hidden and value.startswith(self._hidden):
            value = value[len(self._hidden):]
        if self.protocol() == 2 and item.type == "plain" and item.nospace:
            return f"nospace\n{value}\n_"
        return super().format_completion(CompletionItem(value, item.type, help=item.help))


_FISH = """\
function %(complete_func)s;
    set -l response (env %(complete_var)s=fish_complete _IDRUN_COMP_V=2 COMP_WORDS=(commandline -cp) \\
COMP_CWORD=(commandline -t) %(prog_name)s 2>/dev/null);

    for completion in $response;
        set -l metadata (string split -m 1 "," -- $completion);

        if test $metadata[1] = "dir";
            __fish_complete_directories $metadata[2];
        else if test $metadata[1] = "file";
            __fish_complete_path $metadata[2];
        else if test $metadata[1] = "plain";
            printf '%%s\\n' $metadata[2];
        end;
    end;
end;

complete --no-files --command %(prog_name)s --arguments \\
"(%(complete_func)s)";
"""


class _Fish(_Answer, FishComplete):
    """Candidates are whole words: fish matches them against the whole token (`--fetch=y,tow`)
    and adds no space after one ending in `=` or `/`. Fish gives a completion only the line up
    to the cursor, so there the SPEC must come before it."""

    source_template = _FISH

    def get_completion_args(self) -> tuple[list[str], str]:
        os.environ.setdefault("COMP_CWORD", "")   # fish drops `X=(cmd)` when cmd prints nothing
        return super().get_completion_args()


_CLASSES: dict[str, type[ShellComplete]] = {"bash": _Bash, "zsh": _Zsh, "fish": _Fish}
for _name, _cls in _CLASSES.items():
    add_completion_class(_cls, _name)

"""The command line: flags -> engine calls -> views; IdrunError -> exit code.

Only this module reads the environment (isatty, NO_COLOR) and prints
errors. The engine is imported inside commands, so `idrun --version` and
`idrun ops` stay light (no numpy, no rich).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from idrun import __version__
from idrun.errors import IdrunError, InternalError, UsageError
from idrun.limits import MAX_STEPS   # a run streams, so this bounds time, not memory
from idrun.views.diagnostics import report

FORMATS = ("table", "plain", "json", "jsonl")


def _color(ctx_format: str | None) -> tuple[str, bool]:
    """The output format and whether to color, from flags and the environment."""
    tty = sys.stdout.isatty()
    no_color = "NO_COLOR" in os.environ
    fmt = ctx_format or ("table" if tty else "plain")   # NO_COLOR drops colour, not the table
    return fmt, tty and not no_color


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("debug")) or bool(os.environ.get("IDRUN_DEBUG"))


class _Group(click.Group):
    """IdrunError -> its message and exit code; anything else from idrun's own code is an
    internal error (exit 3), with the traceback under --debug or IDRUN_DEBUG=1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if sys.stderr is None:  # started with stderr closed: messages go nowhere, codes stay
            sys.stderr = open(os.devnull, "w", encoding="utf-8")
        if sys.stdout is None:  # started with stdout closed (`idrun ... >&-`)
            sys.stderr.write("error: standard output is closed; nothing can be written\n")
            sys.exit(UsageError.exit_code)
        if "_IDRUN_COMPLETE" in os.environ:  # a TAB: idrun's shell classes answer (commands/completion.py)
            import idrun.commands.completion  # noqa: F401
        for stream in (sys.stdout, sys.stderr):  # an ASCII terminal gets \u escapes, not a crash
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
        try:
            return super().main(*args, **kwargs)
        except BrokenPipeError:   # --help or --version into a closed pipe
            _discard_stdout()
            sys.exit(141)
        except OSError as exc:    # ... or into a full disk
            _discard_stdout()
            sys.stderr.write(f"error: cannot write the output: {exc.strerror or exc}\n")
            sys.exit(UsageError.exit_code)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IdrunError as err:
            report(err, debug=_debug())
            ctx.exit(err.exit_code)
        except click.NoSuchOption as exc:
            _hint_global_option(ctx, exc)
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:        # `idrun run ... | head`: the reader left; say nothing
            _discard_stdout()
            ctx.exit(141)
        except OSError as exc:         # stdout closed or the disk full: what was asked is lost
            _discard_stdout()
            report(UsageError(f"cannot write the output: {exc.strerror or exc}"))
            ctx.exit(UsageError.exit_code)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
            report(InternalError(exc), debug=_debug())
            ctx.exit(InternalError.exit_code)


def _hint_global_option(ctx: click.Context, exc: click.NoSuchOption) -> None:
    """`idrun run SPEC --debug`: say that --debug belongs before the command."""
    sub = ctx.invoked_subcommand or "COMMAND"
    for param in ctx.command.params:
        if exc.option_name in getattr(param, "opts", ()) + getattr(param, "secondary_opts", ()):
            exc.message += (f"\n{exc.option_name} is a global option: put it before the command: "
                            f"idrun {exc.option_name}{'' if getattr(param, 'is_flag', True) else ' N'} {sub} ...")
            return


def _progress() -> bool:
    """A progress bar on stderr: only on a terminal, when the values go elsewhere (a file or
    a pipe; on the same terminal the rows already show progress), and never in CI."""
    return sys.stderr.isatty() and not sys.stdout.isatty() and not os.environ.get("CI")


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="idrun")
@click.option("--debug", is_flag=True, help="On an internal error (exit 3), show the traceback.")
@click.option("--max-spec-mb", type=click.IntRange(min=1), help="Largest spec file read (default 256).")
@click.option("--max-tensor-elements", type=click.IntRange(min=1),
              help="Largest tensor a spec may make (default 2^28 elements).")
@click.option("--max-nodes", type=click.IntRange(min=1),
              help="Most nodes a spec's graph may have (default 200,000).")
def main(debug: bool, max_spec_mb: int | None, max_tensor_elements: int | None,
         max_nodes: int | None) -> None:
    """Run TensorFlow-1-style graphs from YAML and see what they do.

    Exit codes: 0 success; 1 a failure inside a step or an expect: mismatch;
    2 a spec or usage error; 3 an internal error (a bug in idrun).
    """
    from idrun import limits
    if max_spec_mb:
        limits.MAX_SPEC_BYTES = max_spec_mb * 2**20
    if max_tensor_elements:
        limits.MAX_TENSOR_ELEMENTS = max_tensor_elements
    if max_nodes:
        limits.MAX_NODES = max_nodes


def _split_names(values: tuple[str, ...], flag: str = "--fetch") -> list[str] | None:
    """`--fetch a,b --fetch c` -> [a, b, c]; None when the flag is not given. A flag given
    with nothing in it (`--fetch ""`) is a usage error, not the spec's own list."""
    if not values:
        return None
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    if not names:
        raise UsageError(f"{flag} {' '.join(repr(v) for v in values)}: the list given on the command line is "
                         f"empty (give {flag} NAME[,NAME...], or leave {flag} out to use the spec's run: section)")
    return names


def _parse_feeds(values: tuple[str, ...]) -> dict[str, Any]:
    """NAME=VALUE read as a spec reads the value (YAML 1.2: `1e3` is a number, `yes` a
    string), with the spec loader's bounds; NAME=@path is a file."""
    from idrun.spec.builder import _plain
    from idrun.spec.yamlsrc import load_yaml
    feeds = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--feed expects NAME=VALUE or NAME=@file.npy, got '{item}'")
        feeds[name] = text if text.startswith("@") else _plain(load_yaml(text, f"--feed {name}"))
    return feeds


def _completes(kind: str) -> Any:
    """What a TAB offers after --fetch/--target ("names"), --feed ("feed") or explain's NODE
    ("node"): names from the SPEC on the command line (commands/completion.py)."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
        from idrun.commands import completion
        return getattr(completion, f"complete_{kind}")(ctx, param, incomplete)
    return complete


@main.command(short_help="Run SPEC for N steps and print the fetched values per step.")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--steps", "-n", type=click.IntRange(min=0, max=MAX_STEPS),
              help="Steps to run (default: the spec's run.steps; at most 10^9).")
@click.option("--fetch", "-f", multiple=True, help="Tensors to report, comma-separated (a, b:1).",
              shell_complete=_completes("names"))
@click.option("--target", "-t", multiple=True, help="Ops to run for their effect only.",
              shell_complete=_completes("names"))
@click.option("--feed", multiple=True, help="NAME=VALUE (YAML/JSON literal) or NAME=@file.npy.",
              shell_complete=_completes("feed"))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format (default: table on a terminal, else plain); jsonl: a line per step.")
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--schedule", type=click.Choice(("declaration", "random")), default="declaration", show_default=True,
              help="Op order within a step: deterministic, or a random legal order per step.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --schedule random.")
@click.option("--trace", is_flag=True, help="Show each step's transfers and op order.")
@click.option("--trace-out", metavar="FILE.json",
              help="Write the steps as they ran as a Chrome trace (open in ui.perfetto.dev).")
@click.option("--summaries", metavar="DIR",
              help="Write each step's fetched summaries to an events file in DIR (TensorBoard).")
@click.option("--log-placement", is_flag=True, help="Print each node's device and why (stderr).")
@click.option("--soft-placement", is_flag=True, help="Put nodes on missing devices on cpu:0 instead of failing.")
@click.option("--require-gpu", is_flag=True, help="Fail unless gpu:N devices are real CUDA GPUs.")
@click.option("--no-expect", is_flag=True, help="Do not compare with the spec's expect: section.")
@click.option("--allow-outside-files", is_flag=True,
              help="Let the spec's {file: ...} feeds read files outside its directory.")
@click.option("--save", metavar="DIR",
              help="Save the variables as a TF checkpoint DIR/model.ckpt-STEP after the run (Saver's V2 format).")
@click.option("--save-every", type=click.IntRange(min=1), metavar="N",
              help="With --save: also save every N steps.")
@click.option("--keep", type=click.IntRange(min=1), default=5, show_default=True,
              help="With --save: keep the last K checkpoints (Saver's max_to_keep).")
@click.option("--restore", metavar="DIR_OR_PREFIX",
              help="Set the variables from a TF checkpoint before step 1 instead of initializing them.")
@click.option("--full-values", is_flag=True,
              help="Print every element (default: arrays over 1000 elements are summarised with ..., "
                   "as numpy prints them; json and jsonl are always whole).")
@click.option("--no-timings", is_flag=True,
              help="Leave measured times out: transfer seconds null in json/jsonl (byte-reproducible), "
                   "- in --trace.")
@click.option("--parallel", type=click.Choice(("auto", "on", "off")), default="auto", show_default=True,
              help="Run the devices' work side by side on threads (same transfers and values, but for "
                   "the last bits of large matrix products): where two or more devices have heavy work "
                   "(auto), wherever it can (on), or never (off).")
def run(spec_path: str, steps: int | None, fetch: tuple, target: tuple, feed: tuple, fmt: str | None,
        variables: str | None, schedule: str, seed: int, trace: bool, trace_out: str | None,
        summaries: str | None, log_placement: bool, soft_placement: bool, require_gpu: bool, no_expect: bool,
        allow_outside_files: bool, save: str | None, save_every: int | None, keep: int,
        restore: str | None, full_values: bool, no_timings: bool, parallel: str) -> None:
    """Run SPEC for N steps and print the fetched values per step."""
    from idrun.commands.run import RunCommand
    fmt, color = _color(fmt)
    command = RunCommand(spec_path, fmt=fmt, color=color, variables=variables, trace=trace,
                         trace_out=trace_out, summaries=summaries,
                         log_placement=log_placement, require_gpu=require_gpu, check=not no_expect,
                         debug=_debug(), progress=_progress(), save=save, save_every=save_every,
                         keep=keep, restore=restore, full_values=full_values, timings=not no_timings)
    code = command.execute(
        fetch=_split_names(fetch), targets=_split_names(target, "--target"), feeds=_parse_feeds(feed), steps=steps,
        schedule=schedule, seed=seed, soft_placement=soft_placement,
        allow_outside_files=allow_outside_files, parallel=parallel)
    sys.exit(code)


@main.command(short_help="List every op: inputs, attributes and what it does.")
@click.argument("names", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(("table", "plain", "json")), help="Output format.")
def ops(names: tuple, fmt: str | None) -> None:
    """List every op, or the ops NAMES match (a spec name such as split, a TF type such as
    SplitV, or a part of one): inputs, attributes and what it does."""
    from idrun.commands.ops import list_ops
    fmt, color = _color(fmt)
    list_ops(sys.stdout, fmt, color, names)


@main.command(short_help="Show the placed graph by device, or its compiled step.")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("tree", "dot", "json", "plan")), default="tree",
              show_default=True, help="plan: the generated step function, as Python.")
@click.option("--fetch", "-f", multiple=True, help="Show the step of these fetches (default: the spec's run:).",
              shell_complete=_completes("names"))
@click.option("--target", "-t", multiple=True, help="Ops the shown step runs for their effect.",
              shell_complete=_completes("names"))
@click.option("--feed", multiple=True, help="NAME=VALUE or NAME=@file.npy: a fed tensor's producer is pruned.",
              shell_complete=_completes("feed"))
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--soft-placement", is_flag=True, help="Put nodes on missing devices on cpu:0 instead of failing.")
def show(spec_path: str, fmt: str, fetch: tuple, target: tuple, feed: tuple, variables: str | None,
         soft_placement: bool) -> None:
    """Show the placed graph by device, with control edges and transfers, or its compiled step."""
    from idrun.commands.show import show_graph
    _, color = _color(None)
    show_graph(spec_path, fmt, variables, soft_placement, sys.stdout, color,
               _split_names(fetch), _split_names(target, "--target"), _parse_feeds(feed))


@main.command(short_help="Print the completion script for bash, zsh or fish.")
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")))
def completion(shell: str) -> None:
    """Print the completion script for SHELL: eval "$(idrun completion bash)"."""
    from idrun.commands.completion import completion_script
    sys.stdout.write(completion_script(main, shell))


def _complete_example(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from idrun.commands.example import examples
    return [n for n in ["seed", *examples()] if n.startswith(incomplete)]


@main.command(short_help="List the example specs, or print one to start from.")
@click.argument("name", required=False, shell_complete=_complete_example)
def example(name: str | None) -> None:
    """List the example specs that come with idrun (the gallery), or print the one named
    NAME (`seed`: the seed graph), to save and run:

    \b
    idrun example seed > seed.yaml && idrun run seed.yaml
    """
    from idrun.commands.example import show_example
    show_example(name, sys.stdout)


@main.command(short_help="Print the spec's JSON schema, for editors.")
def schema() -> None:
    """Print the spec's JSON schema (save it as idrun.schema.json for editors)."""
    import json
    from idrun.spec.schema import spec_schema
    json.dump(spec_schema(), sys.stdout, indent=1)
    sys.stdout.write("\n")


@main.command(short_help="Write SPEC as TF Python, a GraphDef or a TensorBoard file.")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("tf-python", "graphdef", "tensorboard")), default="tf-python",
              show_default=True, help="graphdef: -o FILE.pbtxt|FILE.pb; tensorboard: -o DIR (an events file).")
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--keep-devices", is_flag=True,
              help="Keep GPU and job devices as they are (default: each device becomes a local CPU).")
@click.option("--output", "-o", type=click.Path(), help="Write here instead of stdout.")
def export(spec_path: str, fmt: str, variables: str | None, keep_devices: bool, output: str | None) -> None:
    """Write SPEC as a runnable tf.compat.v1 program that prints idrun-style JSON, a TF GraphDef,
    or a TensorBoard events file."""
    from idrun.commands.export import export_spec
    export_spec(spec_path, variables, keep_devices, output, fmt)


def _env_format(choices: tuple[str, ...], default: str, strict: bool) -> str:
    """IDRUN_OUTPUT_FORMAT as the default format, when it names one of `choices`."""
    value = os.environ.get("IDRUN_OUTPUT_FORMAT", "").strip()
    if not value:
        return default
    if value in choices:
        return value
    if strict:
        raise UsageError(f"IDRUN_OUTPUT_FORMAT={value!r}: must be one of {', '.join(choices)}")
    return default


@main.command(short_help="Report what will bite: aliases, unrun ops, races, transfers.")
@click.argument("spec_paths", metavar="SPEC...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--fetch", "-f", multiple=True, help="Check the step of these fetches (default: the spec's run:).",
              shell_complete=_completes("names"))
@click.option("--target", "-t", multiple=True, help="Ops the checked step runs for their effect.",
              shell_complete=_completes("names"))
@click.option("--format", "fmt", type=click.Choice(("text", "json", "github", "sarif")),
              help="Output format (default: text, or IDRUN_OUTPUT_FORMAT).")
@click.option("--fail-on", type=click.Choice(("warning", "info", "never")), default="warning", show_default=True,
              help="Exit 1 when a diagnostic is at or above this severity.")
@click.option("--schedules", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also run K random legal op orders and show what each unordered read saw.")
@click.option("--feed", multiple=True, help="NAME=VALUE or NAME=@file.npy, for the runs of --schedules.",
              shell_complete=_completes("feed"))
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--soft-placement", is_flag=True, help="Put nodes on missing devices on cpu:0 instead of failing.")
def check(spec_paths: tuple, fetch: tuple, target: tuple, fmt: str | None, fail_on: str, schedules: int,
          feed: tuple, variables: str | None, soft_placement: bool) -> None:
    """Report what will bite before it does: aliases under control dependencies, ops that never
    run, unordered reads and writes, repeated transfers. Exit 0 clean, 1 findings, 2 spec error."""
    from idrun.commands.check import FORMATS, check_specs
    fmt = fmt or _env_format(FORMATS, "text", strict=True)
    _, color = _color(None)
    sys.exit(check_specs(list(spec_paths), fmt, fail_on, _split_names(fetch), _split_names(target, "--target"),
                         variables, soft_placement, schedules, color and fmt == "text", feeds=_parse_feeds(feed)))


@main.command(short_help="Explain whether NODE runs and why, its device and transfers.")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.argument("node", shell_complete=_completes("node"))
@click.option("--fetch", "-f", multiple=True, help="Explain for the step of these fetches (default: the spec's run:).",
              shell_complete=_completes("names"))
@click.option("--target", "-t", multiple=True, help="Ops the step runs for their effect.",
              shell_complete=_completes("names"))
@click.option("--format", "fmt", type=click.Choice(("text", "json")),
              help="Output format (default: text, or IDRUN_OUTPUT_FORMAT when it is json).")
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--soft-placement", is_flag=True, help="Put nodes on missing devices on cpu:0 instead of failing.")
def explain(spec_path: str, node: str, fetch: tuple, target: tuple, fmt: str | None, variables: str | None,
            soft_placement: bool) -> None:
    """Explain NODE: whether it runs and why, where its control inputs came from, what TF's
    pruning dropped, its device and its transfers per step."""
    from idrun.commands.explain import explain as explain_node
    fmt = fmt or _env_format(("text", "json"), "text", strict=False)
    sys.exit(explain_node(spec_path, node, fmt, _split_names(fetch), _split_names(target, "--target"), variables,
                          soft_placement))


@main.command("import", short_help="Convert a TF GraphDef or MetaGraphDef into a spec.")
@click.argument("graph_path", metavar="GRAPH", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the spec here instead of stdout.")
@click.option("--fetch", "-f", multiple=True, help="Tensors the spec's run: fetches, comma-separated (y:0).")
def import_(graph_path: str, output: str | None, fetch: tuple) -> None:
    """Convert a TF GraphDef (GRAPH.pbtxt text, GRAPH.pb binary) or a Saver's MetaGraphDef
    (model.ckpt.meta, with its collections) into an idrun spec."""
    from idrun.tf.graphdef_import import import_graphdef
    text = import_graphdef(graph_path, output, _split_names(fetch))
    if not output:
        sys.stdout.write(text)
    else:
        sys.stderr.write(f"wrote {output} (a spec: idrun run {output}, idrun check {output})\n")


def entry() -> None:
    """The `idrun` script and `python -m idrun`: `main`, then `_exit_now` with its code."""
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    _exit_now(code)


def _exit_now(code: Any) -> None:
    """Exit without the interpreter's teardown, which frees every module and object one by
    one (about a tenth of the instructions of `idrun run` on the seed graph): flush the
    standard streams, run the atexit functions, then os._exit. Anything else (a code that
    is not a number, a flush that fails, another thread still running) takes the usual
    exit, with the usual messages. Only for a whole process: `main` called in-process
    (tests, CliRunner) exits as click does."""
    if code is None:
        code = 0
    if not isinstance(code, int) or not 0 <= code <= 255:
        sys.exit(code)
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # noqa: BLE001 - the usual exit reports it as it always has
        sys.exit(code)
    import atexit
    atexit._run_exitfuncs()
    os._exit(code)

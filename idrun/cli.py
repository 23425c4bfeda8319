"""The command line: flags -> engine calls -> views; IdrunError -> exit code.

Only this module reads the environment (isatty, NO_COLOR) and prints
errors. The engine is imported inside commands, so `idrun --version` and
`idrun ops` stay light (no numpy, no rich).
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

import click

from idrun import __version__
from idrun.errors import IdrunError, InternalError, UsageError
from idrun.views.diagnostics import report

FORMATS = ("table", "plain", "json")


def _color(ctx_format: str | None) -> tuple[str, bool]:
    """The output format and whether to color, from flags and the environment."""
    tty = sys.stdout.isatty()
    no_color = "NO_COLOR" in os.environ
    fmt = ctx_format or ("table" if tty and not no_color else "plain")
    return fmt, tty and not no_color


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("debug")) or bool(os.environ.get("IDRUN_DEBUG"))


class _Group(click.Group):
    """IdrunError -> its message and exit code; anything else from idrun's own code is an
    internal error (exit 3), with the traceback under --debug or IDRUN_DEBUG=1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if sys.stdout is None:  # started with stdout closed (`idrun ... >&-`)
            sys.stderr.write("error: standard output is closed; nothing can be written\n")
            sys.exit(UsageError.exit_code)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IdrunError as err:
            report(err, debug=_debug())
            ctx.exit(err.exit_code)
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
def main(debug: bool) -> None:
    """Run TensorFlow-1-style graphs from YAML and see what they do.

    Exit codes: 0 success; 1 a failure inside a step or an expect: mismatch;
    2 a spec or usage error; 3 an internal error (a bug in idrun).
    """


def _split_names(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _parse_feeds(values: tuple[str, ...]) -> dict[str, Any]:
    import yaml
    from idrun.spec.yamlsrc import resolve_plain
    feeds = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--feed expects NAME=VALUE or NAME=@file.npy, got '{item}'")
        if text.startswith("@"):
            feeds[name] = text
            continue
        try:
            value = yaml.safe_load(text) if text.strip()[:1] in "[{" else resolve_plain(text.strip())
        except yaml.YAMLError as exc:
            raise UsageError(f"--feed {name}: cannot parse '{text}': {exc}") from None
        feeds[name] = value
    return feeds


@main.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--steps", "-n", type=click.IntRange(min=0), help="Steps to run (default: the spec's run.steps).")
@click.option("--fetch", "-f", multiple=True, help="Tensors to report, comma-separated (a, b:1).")
@click.option("--target", "-t", multiple=True, help="Ops to run for their effect only.")
@click.option("--feed", multiple=True, help="NAME=VALUE (YAML/JSON literal) or NAME=@file.npy.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: table on a terminal, else plain).")
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--schedule", type=click.Choice(("declaration", "random")), default="declaration", show_default=True,
              help="Op order within a step: deterministic, or a random legal order per step.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --schedule random.")
@click.option("--trace", is_flag=True, help="Show each step's transfers and op order.")
@click.option("--log-placement", is_flag=True, help="Print each node's device and why (stderr).")
@click.option("--soft-placement", is_flag=True, help="Put nodes on missing devices on cpu:0 instead of failing.")
@click.option("--require-gpu", is_flag=True, help="Fail unless gpu:N devices are real CUDA GPUs.")
@click.option("--no-expect", is_flag=True, help="Do not compare with the spec's expect: section.")
def run(spec_path: str, steps: int | None, fetch: tuple, target: tuple, feed: tuple, fmt: str | None,
        variables: str | None, schedule: str, seed: int, trace: bool, log_placement: bool,
        soft_placement: bool, require_gpu: bool, no_expect: bool) -> None:
    """Run SPEC for N steps and print the fetched values per step."""
    from idrun.commands.run import RunCommand
    fmt, color = _color(fmt)
    command = RunCommand(spec_path, fmt=fmt, color=color, variables=variables, trace=trace,
                         log_placement=log_placement, require_gpu=require_gpu, check=not no_expect,
                         debug=_debug())
    code = command.execute(
        fetch=_split_names(fetch), targets=_split_names(target), feeds=_parse_feeds(feed), steps=steps,
        schedule=schedule, seed=seed, soft_placement=soft_placement)
    sys.exit(code)


@main.command()
@click.option("--format", "fmt", type=click.Choice(("table", "plain", "json")), help="Output format.")
def ops(fmt: str | None) -> None:
    """List every op: inputs, attributes and what it does."""
    from idrun.commands.ops import list_ops
    fmt, color = _color(fmt)
    list_ops(sys.stdout, fmt, color)


@main.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("tree", "dot", "json", "plan")), default="tree",
              show_default=True, help="plan: the generated step function, as Python.")
@click.option("--variables", type=click.Choice(("resource", "ref")), help="Override the spec's variable mode.")
@click.option("--soft-placement", is_flag=True, help="Put nodes on missing devices on cpu:0 instead of failing.")
def show(spec_path: str, fmt: str, variables: str | None, soft_placement: bool) -> None:
    """Show the placed graph by device, with control edges and transfers, or its compiled step."""
    from idrun.commands.show import show_graph
    _, color = _color(None)
    show_graph(spec_path, fmt, variables, soft_placement, sys.stdout, color)


@main.command()
def schema() -> None:
    """Print the spec's JSON schema (save it as idrun.schema.json for editors)."""
    import json
    from idrun.spec.schema import spec_schema
    json.dump(spec_schema(), sys.stdout, indent=1)
    sys.stdout.write("\n")


@main.command()
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


@main.command("import")
@click.argument("graph_path", metavar="GRAPH", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the spec here instead of stdout.")
@click.option("--fetch", "-f", multiple=True, help="Tensors the spec's run: fetches, comma-separated (y:0).")
def import_(graph_path: str, output: str | None, fetch: tuple) -> None:
    """Convert a TF GraphDef (GRAPH.pbtxt text, GRAPH.pb binary) into an idrun spec."""
    from idrun.tf.graphdef_import import import_graphdef
    text = import_graphdef(graph_path, output, _split_names(fetch))
    if not output:
        sys.stdout.write(text)

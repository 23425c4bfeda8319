"""TensorBoard's protos (the `idrun[tensorboard]` extra), imported only by the features that
need them: GraphDef import and export, TensorBoard events, summary ops."""

from __future__ import annotations

import importlib

from idrun.errors import UsageError

INSTALL_HINT = "pip install 'idrun[tensorboard]'"


def tensorboard_protos(*modules: str, what: str = "this"):
    """`tensorboard.compat.proto`, with `modules` (dotted under `tensorboard.`) imported, or a
    usage error (exit 2) saying what needs them and naming the extra to install."""
    try:
        for name in modules:
            importlib.import_module(f"tensorboard.{name}")
        return importlib.import_module("tensorboard.compat.proto")
    except ImportError as exc:
        raise UsageError(f"{what} needs TensorBoard's protos ({exc.name or exc} is missing): "
                         f"{INSTALL_HINT}") from None

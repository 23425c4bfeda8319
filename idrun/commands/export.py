"""`idrun export`: the spec as a runnable tf.compat.v1 program (written while it is built),
a GraphDef (`--format graphdef`), or a TensorBoard events file (`--format tensorboard`)."""

from __future__ import annotations

import sys

from idrun.errors import UsageError


def export_spec(path: str, variables: str | None, keep_devices: bool, output: str | None,
                fmt: str = "tf-python") -> None:
    if fmt == "graphdef":
        return _export_graphdef(path, variables, keep_devices, output)
    if fmt == "tensorboard":
        return _export_tensorboard(path, variables, output)
    from idrun.tf.export_python import export_tf_python
    source = export_tf_python(path, variables, local_devices=not keep_devices)
    if not output:
        sys.stdout.write(source)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(source)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    sys.stderr.write(f"wrote {output} (a tf.compat.v1 program: python {output})\n")


def _export_graphdef(path: str, variables: str | None, keep_devices: bool, output: str | None) -> None:
    if not output:
        raise UsageError("--format graphdef needs -o FILE.pbtxt (text) or -o FILE.pb (binary)")
    from idrun.tf.graphdef import export_graphdef, require_protos, write_graphdef
    require_protos()
    if not output.lower().endswith((".pbtxt", ".pbtext", ".txt", ".pb")):
        raise UsageError(f"{output}: a GraphDef file ends in .pbtxt (text) or .pb (binary)")
    from idrun.pipeline import Pipeline
    write_graphdef(export_graphdef(Pipeline(path, variables=variables), local_devices=not keep_devices), output)
    sys.stderr.write(f"wrote {output} (a GraphDef: tf.compat.v1.import_graph_def, or idrun import)\n")


def _export_tensorboard(path: str, variables: str | None, output: str | None) -> None:
    if not output:
        raise UsageError("--format tensorboard needs -o DIR (then: tensorboard --logdir DIR)")
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    from idrun.tf.graphdef import require_protos
    from idrun.tf.tensorboard import export_tensorboard
    require_protos()
    written = export_tensorboard(Pipeline(path, RunOptions(record_ops=True), variables), output)
    sys.stderr.write(f"wrote {written} (tensorboard --logdir {output})\n")

"""`idrun export`: the spec as a runnable tf.compat.v1 program (written while it is built)."""

from __future__ import annotations

import sys

from idrun.errors import UsageError


def export_spec(path: str, variables: str | None, keep_devices: bool, output: str | None) -> None:
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

"""Run exported tf.compat.v1 programs in one TensorFlow process (TF imports once).

Usage (with the TF venv's python): tf_batch.py PROGRAM.py ... ; prints one JSON
line per program: {"program": path, "doc": <its JSON>} or {"program", "crash"}.
"""

import contextlib
import io
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def run(path: str) -> dict:
    source = open(path, encoding="utf-8").read()
    scope = {"__name__": "idrun_export", "__file__": path}
    out = io.StringIO()
    try:
        exec(compile(source, path, "exec"), scope)
        with contextlib.redirect_stdout(out):
            scope["main"]()
        return {"program": path, "doc": json.loads(out.getvalue())}
    except Exception:  # noqa: BLE001 - a crash of one program is reported, the batch goes on
        return {"program": path, "crash": traceback.format_exc(limit=3)}


def main() -> None:
    for path in sys.argv[1:]:
        print(json.dumps(run(path)), flush=True)


if __name__ == "__main__":
    main()

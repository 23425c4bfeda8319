"""The programs of real_control_flow.py built with TF 2's default control flow v2 (If/While
and their function library), written to tests/fixtures/graphdefs_v2/ (FIXTURE_DIR), with
`tf.switch_case` (a `Case`, lowered to `_SwitchN`, in both forms)."""

import importlib.util
from pathlib import Path

import tensorflow as tf

FIXTURE_DIR = "graphdefs_v2"

_spec = importlib.util.spec_from_file_location("graphdef_cases.real_control_flow",
                                               Path(__file__).resolve().parent / "real_control_flow.py")
_v1_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_v1_module)


def _v2(build):
    def run():
        tf.compat.v1.enable_control_flow_v2()
        return build(v2=True)
    return run


CASES = {f"realcf2_{name}": _v2(build) for name, build in _v1_module.PROGRAMS.items()}
CASES["realcf2_switch_case"] = _v2(_v1_module.switch_case)

"""Device strings: parse TF and idrun forms, merge scopes field by field (F2).

`cpu:0`, `/cpu:0`, `/CPU:0`, `/device:CPU:0` all mean `cpu:0`; jobs keep a
prefix: `/job:ps/task:0/device:CPU:0` is `/job:ps/task:0/cpu:0`. The local
job (`localhost`, or none) is dropped. Stdlib only.
"""

from __future__ import annotations

import re

from idrun.records import Frozen, replace, setfield

_FIELD = re.compile(r"^(job|replica|task|device):(.*)$", re.IGNORECASE)
_TYPE_INDEX = re.compile(r"^([A-Za-z_]+):(\d+|\*)$")
LOCAL_JOB = "localhost"


class DeviceSpec(Frozen):
    """A possibly partial device; None fields are unconstrained."""

    __slots__ = ("job", "replica", "task", "type", "index")
    job: str | None
    replica: int | None
    task: int | None
    type: str | None
    index: int | None

    def __init__(self, job: str | None = None, replica: int | None = None, task: int | None = None,
                 type: str | None = None, index: int | None = None) -> None:
        setfield(self, "job", job)
        setfield(self, "replica", replica)
        setfield(self, "task", task)
        setfield(self, "type", type)
        setfield(self, "index", index)

    def merged_into(self, outer: "DeviceSpec") -> "DeviceSpec":
        """This (inner) spec over `outer`: set fields override."""
        fields = {k: getattr(self, k) for k in ("job", "replica", "task", "type", "index")
                  if getattr(self, k) is not None}
        if self.type is not None and self.index is None:
            fields["index"] = None
        return replace(outer, **fields)

    @property
    def is_local(self) -> bool:
        return self.job in (None, LOCAL_JOB)

    @property
    def is_complete(self) -> bool:
        return self.type is not None and self.index is not None

    def __str__(self) -> str:
        prefix = ""
        if not self.is_local:
            prefix = f"/job:{self.job}"
            if self.replica:
                prefix += f"/replica:{self.replica}"
            prefix += f"/task:{self.task or 0}/"
        if self.type is None:
            return prefix.rstrip("/")
        index = "*" if self.index is None else str(self.index)
        return f"{prefix}{self.type}:{index}"

    def tf_string(self) -> str:
        """The string TF's Python keeps as the op's requested device, every field as written
        (`/job:localhost/replica:0/task:0/device:CPU:1` stays so; `/cpu:1` is `/device:CPU:1`)."""
        parts = [f"/{k}:{getattr(self, k)}" for k in ("job", "replica", "task")
                 if getattr(self, k) is not None]
        if self.type is not None:
            index = "*" if self.index is None else str(self.index)
            parts.append(f"/device:{self.type.upper()}:{index}")
        return "".join(parts)


def parse_device(text: str) -> DeviceSpec:
    """Parse a device string; raises ValueError with TF-like wording."""
    if not isinstance(text, str):
        raise ValueError(f"a device must be a string, got {text!r}")
    spec = DeviceSpec()
    parts = [p for p in text.strip().split("/") if p]
    i = 0
    while i < len(parts):
        part = parts[i]
        m = _FIELD.match(part)
        if m and m.group(1).lower() != "device":
            spec = _set_field(spec, m.group(1).lower(), m.group(2), text)
        elif m:  # device:CPU:0
            spec = _set_type(spec, m.group(2), text)
        else:
            spec = _set_type(spec, part, text)
        i += 1
    return spec


def _set_field(spec: DeviceSpec, key: str, value: str, text: str) -> DeviceSpec:
    if key == "job":
        if not re.match(r"^[A-Za-z][\w-]*$", value):
            raise ValueError(f"bad job name in device '{text}'")
        return replace(spec, job=value)
    if not value.isdigit():
        raise ValueError(f"bad {key} in device '{text}': '{value}' is not a number")
    return replace(spec, **{key: int(value)})


def _set_type(spec: DeviceSpec, part: str, text: str) -> DeviceSpec:
    m = _TYPE_INDEX.match(part)
    if not m:
        raise ValueError(f"cannot parse device '{text}': expected TYPE:INDEX such as cpu:0 or gpu:1")
    kind = m.group(1).lower()
    if kind not in ("cpu", "gpu"):
        raise ValueError(f"unknown device type '{m.group(1)}' in '{text}' (cpu or gpu)")
    index = None if m.group(2) == "*" else int(m.group(2))
    return replace(spec, type=kind, index=index)


def normalize_device(text: str) -> str:
    """The canonical form of a device string (`/device:GPU:1` -> `gpu:1`)."""
    return str(parse_device(text))

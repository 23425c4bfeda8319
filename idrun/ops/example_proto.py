"""tf.train.Example records through the protobuf runtime (no hand-written wire parser).

The message types are declared here as a FileDescriptorProto equal to TF's
`example.proto`/`feature.proto`, so idrun decodes TF's records without
depending on TensorFlow. Needs `protobuf` (`pip install idrun[examples]`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from idrun.errors import UsageError


@lru_cache(maxsize=1)
def example_class() -> type:
    """The `tensorflow.Example` message class."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError:  # an extra not installed: the user's to fix (exit 2), not a bug
        raise UsageError("parse_example needs protobuf, which is not installed: "
                         "pip install 'idrun[examples]'") from None
    fdp = descriptor_pb2.FileDescriptorProto(name="idrun_tf_example.proto", package="tensorflow",
                                             syntax="proto3")
    F = descriptor_pb2.FieldDescriptorProto
    for name, ftype in (("BytesList", F.TYPE_BYTES), ("FloatList", F.TYPE_FLOAT), ("Int64List", F.TYPE_INT64)):
        msg = fdp.message_type.add(name=name)
        msg.field.add(name="value", number=1, type=ftype, label=F.LABEL_REPEATED)
    feature = fdp.message_type.add(name="Feature")
    feature.oneof_decl.add(name="kind")
    for number, (fname, tname) in enumerate((("bytes_list", "BytesList"), ("float_list", "FloatList"),
                                             ("int64_list", "Int64List")), 1):
        feature.field.add(name=fname, number=number, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                          type_name=f".tensorflow.{tname}", oneof_index=0)
    features = fdp.message_type.add(name="Features")
    entry = features.nested_type.add(name="FeatureEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    entry.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                    type_name=".tensorflow.Feature")
    features.field.add(name="feature", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                       type_name=".tensorflow.Features.FeatureEntry")
    example = fdp.message_type.add(name="Example")
    example.field.add(name="features", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                      type_name=".tensorflow.Features")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.Example"))


def serialize_example(features: dict[str, Any]) -> bytes:
    """A record from {key: list of floats | ints | bytes/str}."""
    msg = example_class()()
    for key, values in features.items():
        values = values if isinstance(values, list) else [values]
        feature = msg.features.feature[key]
        if all(isinstance(v, (bytes, str)) for v in values):
            feature.bytes_list.value.extend(v.encode() if isinstance(v, str) else v for v in values)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            feature.int64_list.value.extend(values)
        else:
            feature.float_list.value.extend(float(v) for v in values)
    return msg.SerializeToString()

"""The libyaml floor: compose with marks, GC paused (run in a fresh process by bench.py)."""
import gc
import sys

import yaml

gc.disable()
yaml.compose(open(sys.argv[1]).read(), Loader=yaml.CSafeLoader)

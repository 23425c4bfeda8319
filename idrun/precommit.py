"""The pre-commit hook (`.pre-commit-hooks.yaml`): `idrun check` on the YAML files a commit
touches that are idrun specs; any other YAML (docker-compose.yml, a CI workflow, a
Kubernetes manifest) is skipped with a note, so the hook can match every `*.yaml`.

A file is a spec when it is one YAML document whose top level is a mapping with a `nodes:`
key, as every spec has. A file that does not parse is checked when it has a `nodes:` line
(a broken spec: `idrun check` locates the mistake) and skipped otherwise. Options before
the files pass through to `idrun check` (`args: [--fail-on, info]`).

    python -m idrun.precommit [CHECK OPTIONS] FILE...
"""

from __future__ import annotations

import re
import sys

_NODES = re.compile(r"^\s*[\"']?nodes[\"']?\s*:", re.MULTILINE)


def is_spec(path: str) -> bool:
    import yaml
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return True   # unreadable: `idrun check` says why
    try:
        docs = list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError:
        return bool(_NODES.search(text))
    # a spec with a stray second document is still a spec (check says what is wrong with it)
    if len(docs) == 1:
        return isinstance(docs[0], dict) and "nodes" in docs[0]
    return any(isinstance(doc, dict) and isinstance(doc.get("nodes"), list) for doc in docs)


def main(argv: list[str]) -> int:
    split = next((i for i, a in enumerate(argv) if re.search(r"\.ya?ml$", a) and not a.startswith("-")),
                 len(argv))
    options, files = argv[:split], argv[split:]
    specs = []
    for path in files:
        if is_spec(path):
            specs.append(path)
        else:
            sys.stderr.write(f"idrun check: skipped {path}: not an idrun spec (no top-level nodes:)\n")
    if not specs:
        return 0
    from idrun.cli import main as cli
    try:
        cli(["check", *options, *specs], prog_name="idrun")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

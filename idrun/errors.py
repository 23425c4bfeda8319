"""Errors as data: a message, a source location and an exit code.

Exit codes: 0 success; 1 a failure inside a step (TF-style: a failed assert,
a shape mismatch, an unfed placeholder) or an `expect:` mismatch; 2 a spec or
usage error; 3 an internal error (a bug in idrun). Deep code raises; only the
CLI renders. Stdlib only.
"""

from __future__ import annotations

from typing import ClassVar, Iterable


class SourceLoc:
    """A 1-based position in a spec file. A plain class (a big spec makes one per node and
    per input, and a frozen dataclass takes three times as long to make one): treat it as
    immutable."""

    __slots__ = ("file", "line", "col")

    def __init__(self, file: str, line: int, col: int) -> None:
        self.file, self.line, self.col = file, line, col

    def __str__(self) -> str:
        file = self.file
        if not file.isprintable():   # a newline in a file name must not forge a diagnostic line
            file = "".join(c if c.isprintable() else repr(c)[1:-1] for c in file)
        return f"{file}:{self.line}:{self.col}"

    def __repr__(self) -> str:
        return f"SourceLoc(file={self.file!r}, line={self.line!r}, col={self.col!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not SourceLoc:
            return NotImplemented
        return (self.file, self.line, self.col) == (other.file, other.line, other.col)

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.col))


class IdrunError(Exception):
    """Base of every error idrun reports to a user."""

    exit_code: ClassVar[int] = 2
    kind: ClassVar[str] = "error"

    def __init__(self, message: str, loc: SourceLoc | None = None,
                 possibilities: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.possibilities = tuple(possibilities)

    def render(self) -> str:
        """`FILE:LINE:COL: error: MESSAGE (did you mean ...?)`."""
        text = self.message
        if self.possibilities:
            text += f" (did you mean {_quote_list(self.possibilities)}?)"
        where = f"{self.loc}: " if self.loc else ""
        return f"{where}{self.kind}: {text}"


class SpecError(IdrunError):
    """A problem in a spec file (exit 2)."""


class SpecWarning(SpecError):
    """A spec problem worth telling but not fatal (a renamed explicit name)."""

    kind = "warning"


class UsageError(IdrunError):
    """A bad command line (exit 2)."""


class StepError(IdrunError):
    """A failure inside a step: failed assertion, shape mismatch (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, loc: SourceLoc | None = None, *,
                 step: int = 0, node: str = "") -> None:
        super().__init__(message, loc)
        self.step = step
        self.node = node

    def render(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        return f"{where}error: step {self.step}: node '{self.node}': {self.message}"


class InternalError(StepError):
    """A bug in idrun itself, not in the spec or the graph (exit 3). `original` is the
    exception idrun's own code raised; `--debug` or IDRUN_DEBUG=1 shows its traceback."""

    exit_code = 3
    HINT = ("this is a bug in idrun, not in your graph: please report it with the spec "
            "(`idrun --debug COMMAND ...` or IDRUN_DEBUG=1 shows the traceback)")

    def __init__(self, original: BaseException, step: int = 0, node: str = "",
                 loc: SourceLoc | None = None) -> None:
        super().__init__(f"{type(original).__name__}: {original}", loc, step=step, node=node)
        self.original = original

    def render(self) -> str:
        where = f" in step {self.step}, node '{self.node}'" if self.step else ""
        return f"internal error{where}: {self.message}\n  {self.HINT}"


class Interrupted(StepError):
    """A signal stopped the run after a step: SIGINT exits 130, SIGTERM 143 (128 + signal)."""

    def __init__(self, signal_name: str, exit_code: int, after_step: int) -> None:
        # `step` is the step that did not run, as for any failure: the ones before it completed
        super().__init__(f"interrupted by {signal_name} after step {after_step}; the steps that "
                         "completed are reported", None, step=after_step + 1)
        self.exit_code = exit_code

    def render(self) -> str:
        return f"error: {self.message}"


class ExpectError(IdrunError):
    """Values differ from the spec's `expect:` (exit 1)."""

    exit_code = 1


def did_you_mean(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Close matches of `word` among `candidates`, best first; a full name whose last
    part is `word` (`tower/z` for `z`) comes first, then the same name in another case
    (`y` for `Y`)."""
    candidates = list(candidates)
    lower = word.lower()
    first = [c for c in candidates if c.endswith("/" + word)] + \
            [c for c in candidates if c.lower() == lower and c != word]
    import difflib   # only on an error: not at start-up
    close = difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)
    return list(dict.fromkeys(first + close))[:n]


def _quote_list(words: tuple[str, ...]) -> str:
    quoted = [f"'{w}'" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]

"""Shell completion: what a TAB offers, first in-process through each shell's protocol (the
environment idrun's scripts set), then typed into real bash and zsh on a terminal and asked of
real fish (`complete -C`). The real-shell tests skip when the shell is not installed (Debian:
`apt-get install bash zsh fish`)."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from idrun.cli import main
from idrun.commands import completion

ROOT = Path(__file__).resolve().parent.parent
TOUR = "graphs/tour.yaml"                 # x, x_plus_1, y, tower/z (+ the nodes TF's Python adds)
COUNTER = "graphs/while_counter.yaml"     # placeholder n
TOUR_NAMES = ["ReadVariableOp", "tower/z", "tower/z/y", "x", "x/Read/ReadVariableOp", "x_plus_1",
              "x_plus_1/value", "y", "y/ReadVariableOp"]


PROTOCOL = ("COMP_WORDS", "COMP_CWORD", "_IDRUN_COMP_LINE", "_IDRUN_COMP_POINT", "_IDRUN_COMP_CUR", "_IDRUN_COMP_V")


@pytest.fixture(autouse=True)
def _in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def ask(monkeypatch, shell: str, line: str, after: str = "", cur: str | None = None,
        v2: bool = True) -> list[tuple[str, str]]:
    """The candidates for a TAB at the end of `line` (`after`: the rest of the command line),
    as (type, value), with the environment the shell's script sets; `cur`: bash's readline word
    (default: the whole current word); `v2=False`: the environment of click's own scripts."""
    for var in PROTOCOL:
        monkeypatch.delenv(var, raising=False)
    words = completion._split_before_cursor(line)
    if shell == "bash" and v2:
        monkeypatch.setenv("_IDRUN_COMP_LINE", line + after)
        monkeypatch.setenv("_IDRUN_COMP_POINT", str(len(line.encode())))
        monkeypatch.setenv("_IDRUN_COMP_CUR", words[-1] if cur is None else cur)
    elif shell == "fish":   # fish gives only the line up to the cursor
        monkeypatch.setenv("COMP_WORDS", line)
        monkeypatch.setenv("COMP_CWORD", words[-1])
    else:   # zsh, and click's bash script (its COMP_WORDS as bash split them: test's choice)
        monkeypatch.setenv("COMP_WORDS", line + after)
        monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    if v2:
        monkeypatch.setenv("_IDRUN_COMP_V", "2")
    out = completion._CLASSES[shell](main, {}, "idrun", "_IDRUN_COMPLETE").complete()
    if shell == "zsh":
        lines = out.split("\n") if out else []
        return [(lines[i], lines[i + 1]) for i in range(0, len(lines), 3)]
    return [tuple(row.split(",", 1)) for row in out.split("\n") if row]


def values(pairs):
    return [v for _, v in pairs]


# -- in-process: what each option offers, with the real graphs ----------------------------

def test_fetch_completes_the_last_comma_separated_name(monkeypatch):
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch y,tow")) == ["y,tower/z", "y,tower/z/y"]
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch ")) == TOUR_NAMES
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} -t x_")) == ["x_plus_1", "x_plus_1/value"]
    # names already in the list are not offered again; `y:` gives the node's outputs
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch y,x_plus_1,x")) == \
        ["y,x_plus_1,x", "y,x_plus_1,x/Read/ReadVariableOp", "y,x_plus_1,x_plus_1/value"]
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch y,x:")) == ["y,x:0"]
    assert ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch nothing_like_it") == []


def test_every_command_with_names_completes_them(monkeypatch):
    for command in ("run", "show", "check", "explain"):
        for option in ("--fetch", "-f", "--target", "-t"):
            got = values(ask(monkeypatch, "fish", f"idrun {command} {TOUR} {option} tower/"))
            assert got == ["tower/z", "tower/z/y"], (command, option)
    assert values(ask(monkeypatch, "fish", f"idrun check graphs/seed_batch_norm_cond.yaml {TOUR} -f tow")) == []
    assert values(ask(monkeypatch, "fish", f"idrun check {TOUR} graphs/while_counter.yaml -f tow")) == \
        ["tower/z", "tower/z/y"]   # check takes several specs: the first one's names


def test_explain_completes_node_and_alias_names(monkeypatch):
    assert values(ask(monkeypatch, "fish", f"idrun explain {TOUR} ")) == TOUR_NAMES
    assert values(ask(monkeypatch, "fish", f"idrun explain {TOUR} Read")) == ["ReadVariableOp"]
    aliased = values(ask(monkeypatch, "fish", "idrun explain graphs/control_deps_alias.yaml "))
    assert "y" in aliased and "x" in aliased   # y is an alias of x there
    assert values(ask(monkeypatch, "fish", f"idrun explain {TOUR} y:")) == ["y:0"]


def test_the_spec_may_come_after_the_option(monkeypatch, tmp_path):
    assert values(ask(monkeypatch, "bash", "idrun run --fetch y,tow", after=f" {TOUR}")) == ["y,tower/z", "y,tower/z/y"]
    assert values(ask(monkeypatch, "zsh", "idrun run -n 3 --fetch tow", after=f" {TOUR} --trace")) == \
        ["tower/z", "tower/z/y"]
    assert values(ask(monkeypatch, "bash", "idrun run --feed ", after=f" {COUNTER}")) == ["n="]
    # a spec not named *.yaml is found by parsing the line as idrun does
    spec = tmp_path / "tour.spec"
    spec.write_text((ROOT / TOUR).read_text())
    assert values(ask(monkeypatch, "zsh", "idrun run --fetch tow", after=f" {spec}")) == ["tower/z", "tower/z/y"]


def test_feed_offers_placeholders_then_files_after_at(monkeypatch, tmp_path):
    got = ask(monkeypatch, "bash", f"idrun run {COUNTER} --feed ")
    assert got == [("nospace", "n=")]                  # no space: the value comes next
    # no placeholder matches: any tensor can be fed, as in TF
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} --feed x_")) == ["x_plus_1=", "x_plus_1/value="]
    assert ask(monkeypatch, "fish", f"idrun run {COUNTER} --feed n=3") == []   # a literal is the user's
    (tmp_path / "sub dir").mkdir()
    for name in ("a.npy", "b.tfrecord", "notes.txt", ".hidden.npy", "my file.npy"):
        (tmp_path / name).write_text("")
    feeds = f"idrun run {COUNTER} --feed n=@{tmp_path}/"
    assert ask(monkeypatch, "bash", feeds, cur=f"@{tmp_path}/") == [
        ("nospace", f"@{tmp_path}/sub\\ dir/"), ("plain", f"@{tmp_path}/a.npy"),
        ("plain", f"@{tmp_path}/b.tfrecord"), ("plain", f"@{tmp_path}/my\\ file.npy")]
    assert values(ask(monkeypatch, "fish", feeds + ".")) == [f"n=@{tmp_path}/.hidden.npy"]
    assert values(ask(monkeypatch, "fish", feeds + "no")) == [f"n=@{tmp_path}/notes.txt"]  # no .npy: any file
    assert ask(monkeypatch, "zsh", feeds + "s") == [("prefix", f"n=@{tmp_path}/"), ("nospace", "sub dir/")]
    monkeypatch.chdir(tmp_path)   # relative to where idrun runs, as --feed reads it
    assert values(ask(monkeypatch, "fish", f"idrun run {ROOT / COUNTER} --feed n=@a")) == ["n=@a.npy"]
    assert ask(monkeypatch, "fish", f"idrun run {ROOT / COUNTER} --feed n=@/nonexistent/dir/") == []


def test_an_option_typed_with_equals_keeps_its_name(monkeypatch):
    """click issue 2847: zsh and fish replace the whole word `--fetch=y,tow` with the candidate."""
    assert ask(monkeypatch, "zsh", f"idrun run {TOUR} --fetch=y,tow") == [
        ("prefix", "--fetch=y,"), ("plain", "tower/z"), ("plain", "tower/z/y")]
    assert values(ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch=y,tow")) == \
        ["--fetch=y,tower/z", "--fetch=y,tower/z/y"]
    # bash: readline replaces only what follows the `=` ($2); click's script splits at `=`
    assert values(ask(monkeypatch, "bash", f"idrun run {TOUR} --fetch=y,tow", cur="y,tow")) == \
        ["y,tower/z", "y,tower/z/y"]
    assert values(ask(monkeypatch, "bash", f"idrun run {TOUR} --fetch = y,tow", v2=False)) == \
        ["y,tower/z", "y,tower/z/y"]
    assert ask(monkeypatch, "zsh", f"idrun run {COUNTER} --feed=n=@graphs/da") == \
        [("prefix", "--feed=n=@graphs/"), ("nospace", "data/")]
    # click's own zsh script (written by an older idrun) inserts whole words: right too
    assert values(ask(monkeypatch, "zsh", f"idrun run {TOUR} --fetch=y,tow", v2=False)) == \
        ["--fetch=y,tower/z", "--fetch=y,tower/z/y"]


def test_click_scripts_still_get_candidates(monkeypatch):
    assert ask(monkeypatch, "bash", f"idrun run {COUNTER} --feed ", v2=False) == [("plain", "n=")]
    assert ask(monkeypatch, "zsh", f"idrun run {COUNTER} --feed ", v2=False) == [("plain", "n=")]
    assert ask(monkeypatch, "bash", f"idrun run {TOUR} --fetch y,tow", v2=False) == \
        [("plain", "y,tower/z"), ("plain", "y,tower/z/y")]


def test_options_commands_and_paths_complete_as_click_does(monkeypatch):
    assert values(ask(monkeypatch, "bash", f"idrun run {TOUR} --fe")) == ["--fetch", "--feed"]
    assert [c for c in ask(monkeypatch, "zsh", "idrun ex")] == [("plain", "example"), ("plain", "explain"), ("plain", "export")]
    assert ask(monkeypatch, "bash", "idrun run gra") == [("file", "gra")]   # the shell completes files


def test_bash_gets_only_the_part_readline_replaces_escaped(monkeypatch, tmp_path):
    (tmp_path / "my file.npy").write_text("")
    line = f"idrun run {COUNTER} --feed n=@{tmp_path}/my\\ f"
    assert values(ask(monkeypatch, "bash", line, cur=f"@{tmp_path}/my\\ f")) == [f"@{tmp_path}/my\\ file.npy"]
    assert values(ask(monkeypatch, "bash", f"idrun run {TOUR} --fetch y:", cur="")) == ["0"]
    assert completion._bash_escape("a b$c'd(e)") == "a\\ b\\$c\\'d\\(e\\)"
    assert completion._split_before_cursor("idrun run 'my fi") == ["idrun", "run", "my fi"]
    assert completion._split_before_cursor("idrun run ") == ["idrun", "run", ""]


@pytest.mark.parametrize("text", [b"nodes: [\n", b"nodes:\n  - {name: a, op: nope}\n", b"\x00\xff", b"- a list\n",
                                  b"nodes:\n  - {name: a, op: const, value: !!int abc}\n"])
def test_a_broken_spec_completes_nothing_and_prints_nothing(monkeypatch, capfd, tmp_path, text):
    spec = tmp_path / "broken.yaml"
    spec.write_bytes(text)
    for shell in ("bash", "zsh", "fish"):
        assert ask(monkeypatch, shell, f"idrun run {spec} --fetch ") == []
        assert ask(monkeypatch, shell, f"idrun explain {spec} ") == []
        assert ask(monkeypatch, shell, f"idrun run {spec} --feed ") == []
    assert capfd.readouterr() == ("", "")


def test_a_missing_fifo_large_or_slow_spec_completes_nothing(monkeypatch, tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    for path in (tmp_path / "missing.yaml", fifo, tmp_path):
        assert ask(monkeypatch, "fish", f"idrun run {path} --fetch ") == []
    monkeypatch.setattr(completion, "MAX_SPEC_BYTES", 100)
    assert ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch ") == []
    monkeypatch.setattr(completion, "MAX_SPEC_BYTES", 2**20)
    import idrun.spec

    def slow(path):
        time.sleep(5)
    monkeypatch.setattr(idrun.spec, "load_spec", slow)
    monkeypatch.setattr(completion, "LOAD_SECONDS", 0.05)
    start = time.monotonic()
    assert ask(monkeypatch, "fish", f"idrun run {TOUR} --fetch ") == []
    assert time.monotonic() - start < 2


def test_an_error_anywhere_in_completion_prints_nothing(monkeypatch, capfd):
    def broken(*args):
        raise RuntimeError("a bug")
    monkeypatch.setattr(completion, "_spec_names", broken)
    for shell in ("bash", "zsh", "fish"):
        assert ask(monkeypatch, shell, f"idrun run {TOUR} --fetch ") == []
    assert capfd.readouterr() == ("", "")


def test_completion_loads_neither_numpy_nor_rich(tmp_path):
    env = {**os.environ, "COMP_WORDS": f"idrun run {TOUR} --fetch tow", "COMP_CWORD": "4",
           "_IDRUN_COMPLETE": "zsh_complete", "_IDRUN_COMP_V": "2", "PYTHONPATH": str(ROOT)}
    code = ("import sys\nfrom idrun.cli import main\ntry:\n    main(prog_name='idrun')\nexcept SystemExit:\n"
            "    pass\nprint('numpy' in sys.modules, 'rich' in sys.modules, file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert res.stdout.split() == ["plain", "tower/z", "_", "plain", "tower/z/y", "_"]
    assert res.stderr == "False False\n"


# -- real shells ----------------------------------------------------------------------------

def _needs(shell: str):
    return pytest.mark.skipif(shutil.which(shell) is None, reason=f"{shell} is not installed")


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory):
    """PATH with an `idrun` that runs this checkout, and a feeds folder."""
    home = tmp_path_factory.mktemp("home")
    bindir = home / "bin"
    bindir.mkdir()
    script = bindir / "idrun"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                      "from idrun.commands import completion\n"
                      "completion.LOAD_SECONDS = 60.0   # a busy test machine must not mean no candidates\n"
                      "from idrun._main import entry\nentry()\n")
    script.chmod(0o755)
    feeds = home / "feeds"
    (feeds / "deep dir").mkdir(parents=True)
    for name in ("x.npy", "my file.npy", "notes.txt"):
        (feeds / name).write_text("")
    (home / "broken.yaml").write_text("nodes: [\n")
    env = {"PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(home), "TERM": "dumb",
           "LANG": "C.UTF-8", "INPUTRC": "/dev/null"}
    return env, home


class Terminal:
    """A shell on a pseudo-terminal, typed into as a user types. The shell writes its line
    (`\\C-xp`) and the candidates it got to files, read back here."""

    def __init__(self, argv: list[str], env: dict, setup: str, folder: Path) -> None:
        self.folder = folder
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        self.out = b""
        self.send(setup + "\necho READY$((1+1))\n")
        if not self._wait(lambda: b"READY2" in self.out, 30):
            self.close()
            raise AssertionError(f"{argv[0]} did not start: {self.out[-2000:]!r}")

    def complete(self, typed: str, back: int = 0) -> tuple[str, list[str]]:
        """Type `typed`, move the cursor `back` characters left, press TAB: the line after it,
        and the candidates the completion function gave the shell."""
        line, reply = self.folder / "line", self.folder / "reply"
        for f in (line, reply):
            f.unlink(missing_ok=True)
        self.send(typed + "\x02" * back + "\t\x18p")
        if not self._wait(line.exists, 60):
            raise AssertionError(f"no line after TAB: {self.out[-2000:]!r}")
        self._drain(0.05)
        self.send("\x05\x15")   # end of line, then erase it
        got = reply.read_text().split("\n") if reply.exists() else []
        return line.read_text(), [c for c in got if c]

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def _drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.out += data

    def _wait(self, done, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._drain(0.05)
            if done():
                return True
        return False

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture(scope="module")
def bash(shell_env):
    env, home = shell_env
    folder = home / "bash"
    folder.mkdir()
    term = Terminal(["bash", "--norc", "--noprofile", "-i"], env, f"""PS1='$ '; source <(idrun completion bash)
eval "$(declare -f _idrun_completion | sed '1s/.*/_idrun_completion_as_written ()/')"
_idrun_completion() {{ _idrun_completion_as_written "$@"; printf '%s\\n' "${{COMPREPLY[@]}}" > {folder}/reply; }}
bind -x '"\\C-xp": printf "%s" "$READLINE_LINE" > {folder}/line'""", folder)
    yield term
    term.close()


@pytest.fixture(scope="module")
def zsh(shell_env):
    env, home = shell_env
    folder = home / "zsh"
    folder.mkdir()
    term = Terminal(["zsh", "-f", "-i"], env, f"""PS1='$ '; autoload -Uz compinit; compinit -u -D
eval "$(idrun completion zsh)"
compadd() {{ local -a m; builtin compadd -O m "$@"; (( $#m )) && print -rl -- $m >> {folder}/reply; builtin compadd "$@" }}
_line() {{ print -rn -- "$BUFFER" > {folder}/line }}; zle -N _line; bindkey '^Xp' _line""", folder)
    yield term
    term.close()


def fish(env: dict, line: str) -> list[str]:
    res = subprocess.run(["fish", "--no-config", "-c", 'idrun completion fish | source; complete -C "$argv[1]"',
                          line], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr == ""
    return res.stdout.splitlines()


# (typed, cursor moved back, the line after TAB, bash's candidates, zsh's listed candidates)
CASES = {
    "fetch list": (f"idrun run {TOUR} --fetch y,tow", 0, f"idrun run {TOUR} --fetch y,tower/z",
                   ["y,tower/z", "y,tower/z/y"], ["tower/z", "tower/z/y"]),
    "fetch=, click 2847": (f"idrun run {TOUR} --fetch=y,tow", 0, f"idrun run {TOUR} --fetch=y,tower/z",
                           ["y,tower/z", "y,tower/z/y"], ["tower/z", "tower/z/y"]),
    "fetch output": (f"idrun run {TOUR} --fetch y:", 0, f"idrun run {TOUR} --fetch y:0 ", ["0"], ["y:0"]),
    "spec after": ("idrun run -f tower/z/ " + TOUR, len(TOUR) + 1, f"idrun run -f tower/z/y {TOUR}",
                   ["tower/z/y"], ["tower/z/y"]),
    "explain node": (f"idrun explain {TOUR} x_p", 0, f"idrun explain {TOUR} x_plus_1",
                     ["x_plus_1", "x_plus_1/value"], ["x_plus_1", "x_plus_1/value"]),
    "feed name": (f"idrun run {COUNTER} --feed ", 0, f"idrun run {COUNTER} --feed n=", ["n="], ["n="]),
    "feed file": (f"idrun run {COUNTER} --feed n=@FEEDS/my", 0, f"idrun run {COUNTER} --feed n=@FEEDS/my\\ file.npy ",
                  ["@FEEDS/my\\ file.npy"], ["my file.npy"]),
    "feed= folder": (f"idrun run {COUNTER} --feed=n=@FEEDS/", 0, f"idrun run {COUNTER} --feed=n=@FEEDS/",
                     ["@FEEDS/deep\\ dir/", "@FEEDS/my\\ file.npy", "@FEEDS/x.npy"],
                     ["deep dir/", "my file.npy", "x.npy"]),
    "missing spec": ("idrun run nonexistent.yaml --fetch ", 0, "idrun run nonexistent.yaml --fetch ", [], []),
    "broken spec": ("idrun run HOME/broken.yaml --fetch ", 0, "idrun run HOME/broken.yaml --fetch ", [], []),
}


def _case(name: str, home: Path) -> tuple:
    fill = lambda x: x.replace("FEEDS", str(home / "feeds")).replace("HOME", str(home))  # noqa: E731
    typed, back, line, by_bash, by_zsh = CASES[name]
    return fill(typed), back, fill(line), [fill(c) for c in by_bash], [fill(c) for c in by_zsh]


def _same_line(got: str, want: str) -> bool:
    """zsh keeps the space that stood after the cursor; elsewhere the line is exact."""
    return got == want or (got.split() == want.split() and want.count(" ") < got.count(" "))


@_needs("bash")
@pytest.mark.parametrize("name", CASES)
def test_real_bash(bash, shell_env, name):
    typed, back, line, by_bash, _ = _case(name, shell_env[1])
    got_line, got = bash.complete(typed, back)
    assert (got_line, got) == (line, by_bash) or (_same_line(got_line, line) and got == by_bash), got_line
    assert b"Traceback" not in bash.out and b"rror" not in bash.out


@_needs("zsh")
@pytest.mark.parametrize("name", CASES)
def test_real_zsh(zsh, shell_env, name):
    typed, back, line, _, by_zsh = _case(name, shell_env[1])
    got_line, got = zsh.complete(typed, back)
    assert _same_line(got_line, line), got_line
    assert sorted(got) == sorted(by_zsh)
    assert b"Traceback" not in zsh.out and b"rror" not in zsh.out


FISH_CASES = {   # what fish lists for the line (it replaces the token with the one chosen)
    "fetch list": [f"idrun run {TOUR} --fetch y,tow", "y,tower/z", "y,tower/z/y"],
    "fetch=, click 2847": [f"idrun run {TOUR} --fetch=y,tow", "--fetch=y,tower/z", "--fetch=y,tower/z/y"],
    "explain node": [f"idrun explain {TOUR} x_p", "x_plus_1", "x_plus_1/value"],
    "feed name": [f"idrun run {COUNTER} --feed ", "n="],
    "feed folder": [f"idrun run {COUNTER} --feed n=@FEEDS/", "n=@FEEDS/deep dir/", "n=@FEEDS/my file.npy",
                    "n=@FEEDS/x.npy"],
    "missing spec": ["idrun run nonexistent.yaml --fetch "],
    "broken spec": ["idrun run HOME/broken.yaml --fetch "],
}


@_needs("fish")
@pytest.mark.parametrize("name", FISH_CASES)
def test_real_fish(shell_env, name):
    env, home = shell_env
    line, *want = [x.replace("FEEDS", str(home / "feeds")).replace("HOME", str(home)) for x in FISH_CASES[name]]
    assert fish(env, line) == want


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_scripts_are_valid_shell(shell):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = completion.completion_script(main, shell)
    res = subprocess.run([shell, "-n"] if shell != "fish" else ["fish", "--no-execute"], input=script,
                         capture_output=True, text=True)
    assert res.returncode == 0 and res.stderr == ""


def test_example_completes_the_packaged_names(monkeypatch):
    assert values(ask(monkeypatch, "bash", "idrun example se")) == ["seed", "seed_batch_norm_cond"]
    assert values(ask(monkeypatch, "bash", "idrun example cifar10")) == ["cifar10_multi_gpu_train"]

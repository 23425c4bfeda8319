"""`idrun check --format sarif` as its consumers read it: valid against the OASIS SARIF 2.1.0
schema (tests/fixtures/sarif/, see its README), with what GitHub code scanning requires (rule
texts, ruleId/ruleIndex, level, fingerprints), regions with ends, links to related locations,
and file names as URIs; builder warnings in every format; GitHub workflow-command escaping."""

import json
import re
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from conftest import ROOT

SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
SEED = ROOT / "graphs" / "control_deps_alias.yaml"

# RFC 3986: a URI-reference's characters are unreserved, reserved or a %XX escape
_URI_REF = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")

RACE_AND_TRANSFER = """\
devices: [cpu:0, cpu:1]
nodes:
  - {name: x, op: variable, value: 1.0}
  - {name: inc, op: assign_add, inputs: [x, 1.0]}
  - device: cpu:1
    nodes:
      - {name: a, op: mul, inputs: [x, 2.0]}
      - {name: b, op: mul, inputs: [x, 3.0]}
run: {fetch: [a, b], targets: [inc]}
"""

NAME_TAKEN = """\
nodes:
  - {name: a, op: const, value: 1.0}
  - {name: a, op: const, value: 2.0}
run: {fetch: [a, a_1]}
"""


def sarif(cli, *args):
    res = cli("check", *args, "--format", "sarif")
    assert res.exit_code in (0, 1, 2) and "Traceback" not in res.stderr, res.stderr
    return res.json()


def validate(doc):
    """Against the OASIS schema (draft-04); skipped cleanly where jsonschema is missing."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def github_rules(doc):
    """What GitHub code scanning (and Sarif.Multitool's GitHub rules) require beyond the schema."""
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert driver["name"] == "idrun"
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip(), (rule["id"], key)
        assert rule["help"]["markdown"].strip()
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "helpUri" not in rule   # no invented URLs
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        assert result["partialFingerprints"]
        for loc in result["locations"] + result.get("relatedLocations", []):
            phys = loc["physicalLocation"]
            assert _URI_REF.match(phys["artifactLocation"]["uri"]), phys["artifactLocation"]["uri"]
            region = phys["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            if "endLine" in region:
                assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        # every embedded link names exactly one location of the result (SARIF 3.11.6)
        ids = [loc["id"] for loc in result.get("relatedLocations", [])]
        assert len(ids) == len(set(ids))
        for target in re.findall(r"(?<!\\)\]\((\d+)\)", result["message"]["text"]):
            assert ids.count(int(target)) == 1
    base = run.get("originalUriBaseIds", {})
    for uri in base.values():
        assert uri["uri"].startswith("file:///") and uri["uri"].endswith("/")


def path_of(loc, doc):
    """The file a SARIF location names, as bytes: its URI decoded, resolved against its base."""
    art = loc["physicalLocation"]["artifactLocation"]
    uri = art["uri"]
    if "uriBaseId" in art:
        uri = doc["runs"][0]["originalUriBaseIds"][art["uriBaseId"]]["uri"] + uri
    assert uri.startswith("file://")
    return unquote_to_bytes(uri[len("file://"):])


@pytest.mark.parametrize("name", ["a b#c%d.yaml", "100%.yaml", "x#1 y.yaml", "é ö.yaml", "k:v?.yaml", "new\nline[1].yaml"])
def test_file_names_become_valid_uris(cli, tmp_path, monkeypatch, name):
    (tmp_path / "sub dir").mkdir()
    path = tmp_path / "sub dir" / name
    path.write_text(RACE_AND_TRANSFER)
    monkeypatch.chdir(tmp_path)
    doc = sarif(cli, str(Path("sub dir") / name))
    validate(doc)
    github_rules(doc)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"unordered-read-write", "repeated-transfer"}
    for r in results:
        for loc in r["locations"] + r["relatedLocations"]:
            art = loc["physicalLocation"]["artifactLocation"]
            assert art["uriBaseId"] == "%SRCROOT%" and art["uri"].startswith("sub%20dir/")
            assert path_of(loc, doc) == str(path).encode()


def test_a_file_outside_the_directory_is_an_absolute_file_uri(cli, tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    path = tmp_path / "there #1" / "g%.yaml"
    path.parent.mkdir()
    path.write_text(RACE_AND_TRANSFER)
    monkeypatch.chdir(tmp_path / "here")
    doc = sarif(cli, str(path))
    validate(doc)
    github_rules(doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]
    assert "uriBaseId" not in loc["physicalLocation"]["artifactLocation"]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("/there%20%231/g%25.yaml")
    assert path_of(loc, doc) == str(path).encode()
    assert "originalUriBaseIds" not in doc["runs"][0]


def test_seed_regions_links_and_rules(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = sarif(cli, "graphs/control_deps_alias.yaml")
    validate(doc)
    github_rules(doc)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.as_uri() + "/"}}
    never, alias = run["results"]
    # line 8 is `  - {name: x_plus_1, op: assign_add, inputs: [x, 1.0]}`: the flow mapping, whole
    assert never["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "graphs/control_deps_alias.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 5, "endLine": 8, "endColumn": 55}}
    # the note `alias `y` is here` is linked from the first `y` the message names
    assert "(fetch [`y`](1))" in never["message"]["text"]
    assert never["relatedLocations"][0]["message"]["text"] == "alias `y` is here"
    # a note naming no node of the message is linked after it
    assert alias["message"]["text"].endswith(" (see [the control_dependencies block is here](1))")
    assert alias["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 9, "startColumn": 27, "endLine": 9, "endColumn": 37}   # `[x_plus_1]`
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"spec-error", "spec-warning", "never-runs", "unused"} <= set(ids)


def test_block_style_node_spans_its_lines(cli, spec_file, monkeypatch, tmp_path):
    path = spec_file("""\
    nodes:
      - name: x
        op: variable
        value: 0.0
      - name: inc
        op: assign_add
        inputs: [x, 1.0]   # a comment after the last item is not part of it
      - {name: y, op: identity, inputs: [x]}
    run: {fetch: [y]}
    """)
    monkeypatch.chdir(tmp_path)
    doc = sarif(cli, path)
    validate(doc)
    [never] = doc["runs"][0]["results"]
    assert never["ruleId"] == "never-runs"
    assert never["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5, "startColumn": 5, "endLine": 7, "endColumn": 21}


def test_columns_are_code_points(cli, spec_file, monkeypatch, tmp_path):
    """`columnKind: unicodeCodePoints`: `t` starts at character 60, byte 63."""
    path = spec_file('nodes: [{name: s, op: const, value: "ééé", dtype: string}, '
                     '{name: t, op: const, value: 1.0}, {name: u, op: const, value: 2.0}]\n'
                     'run: {fetch: [u]}\n')
    monkeypatch.chdir(tmp_path)
    doc = sarif(cli, path)
    validate(doc)
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert [r["locations"][0]["physicalLocation"]["region"] for r in doc["runs"][0]["results"]] == [
        {"startLine": 1, "startColumn": 9, "endLine": 1, "endColumn": 58},
        {"startLine": 1, "startColumn": 60, "endLine": 1, "endColumn": 92}]


def test_several_specs_one_failing(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("ok.yaml").write_text(RACE_AND_TRANSFER)
    Path("bad.yaml").write_text("nodes:\n  - {name: a, op: const, value: [1, 2}\n")
    res = cli("check", "ok.yaml", "bad.yaml", "no such.yaml", "--format", "sarif")
    assert res.exit_code == 2
    doc = res.json()
    validate(doc)
    github_rules(doc)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == [
        "repeated-transfer", "unordered-read-write", "unordered-read-write", "spec-error", "spec-error"]


def test_fingerprints_are_stable_when_lines_move(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("g.yaml").write_text(RACE_AND_TRANSFER)
    before = sarif(cli, "g.yaml")["runs"][0]["results"]
    Path("g.yaml").write_text("# a comment\n\n" + RACE_AND_TRANSFER.replace("x, 1.0", "x,   1.0"))
    after = sarif(cli, "g.yaml")["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == \
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] + 2 for r in before]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]
    assert len({json.dumps(r["partialFingerprints"]) for r in after}) == len(after)
    # another variable's race is another alert
    Path("g.yaml").write_text(RACE_AND_TRANSFER.replace("name: x,", "name: w,").replace("[x,", "[w,"))
    other = sarif(cli, "g.yaml")["runs"][0]["results"]
    assert not {json.dumps(r["partialFingerprints"]) for r in other} & {json.dumps(r["partialFingerprints"])
                                                                         for r in before}


def test_spec_error_is_a_valid_result(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad file.yaml").write_text("nodes:\n  - {name: a, op: nope}\n")
    res = cli("check", "bad file.yaml", "--format", "sarif")
    assert res.exit_code == 2
    doc = res.json()
    validate(doc)
    github_rules(doc)
    [r] = doc["runs"][0]["results"]
    assert r["ruleId"] == "spec-error" and r["level"] == "error"
    assert r["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2, "startColumn": 19, "endLine": 2, "endColumn": 23}   # `nope`


# ---- builder warnings in every format ----------------------------------------------------

def test_builder_warning_in_every_format(cli, spec_file):
    path = spec_file(NAME_TAKEN)
    message = "name 'a' is taken; this node is named 'a_1'"
    text = cli("check", path)
    assert f"{path}:3:12: warning: {message}" in text.stderr
    assert "idrun check: 1 warning in 1 spec" in text.stderr and text.exit_code == 1
    assert cli("check", path, "--fail-on", "never").exit_code == 0

    res = cli("check", path, "--format", "json")
    assert res.exit_code == 1
    [d] = res.json()["diagnostics"]
    assert {k: d[k] for k in ("code", "severity", "file", "line", "col", "message", "nodes")} == {
        "code": "spec-warning", "severity": "warning", "file": path, "line": 3, "col": 12,
        "message": message, "nodes": []}

    res = cli("check", path, "--format", "github")
    assert res.exit_code == 1
    assert res.stdout == (f"::warning file={path},line=3,col=12,title=idrun (spec-warning)::"
                          f"{message}\n")

    doc = sarif(cli, path)
    validate(doc)
    github_rules(doc)
    [r] = doc["runs"][0]["results"]
    assert r["ruleId"] == "spec-warning" and r["level"] == "warning" and r["message"]["text"] == message


def test_builder_warning_kept_when_the_spec_then_fails(cli, spec_file):
    path = spec_file(NAME_TAKEN.replace("[a, a_1]", "[a, nope]"))
    res = cli("check", path, "--format", "json")
    assert res.exit_code == 2
    assert [(d["code"], d["line"]) for d in res.json()["diagnostics"]] == [("spec-warning", 3), ("spec-error", 4)]
    text = cli("check", path)
    assert text.exit_code == 2
    assert text.stderr.index("warning: name 'a' is taken") < text.stderr.index("error: ")


def test_soft_placement_warning_in_json(cli, spec_file):
    path = spec_file("devices: [cpu:0]\nnodes:\n  - {name: a, op: const, value: 1.0, device: gpu:0}\n"
                     "run: {fetch: [a]}\n")
    [d] = cli("check", path, "--soft-placement", "--format", "json").json()["diagnostics"]
    assert d["code"] == "spec-warning" and d["line"] == 3 and "soft placement" in d["message"]


# ---- GitHub workflow commands --------------------------------------------------------------

def test_github_escapes_as_the_runner_unescapes():
    """The runner (actions/runner ActionCommand.cs) unescapes %0D, %0A, %3A, %2C, %25 in
    properties and %0D, %0A, %25 in data: a round trip gives the text back; control
    characters other than CR/LF/tab from a spec are shown escaped, never written raw."""
    import io
    from idrun.analysis import Diagnostic
    from idrun.errors import SourceLoc
    from idrun.views.check import render_github
    out = io.StringIO()
    name = "d,1:2%3A\n.yaml"
    render_github([Diagnostic("unused", "info", SourceLoc(name, 2, 3), "100%25 ::x\x1b[31m\r\nend")], out)
    line = out.getvalue()
    assert line.count("\n") == 1 and "\x1b" not in line
    head, data = line[:-1].split("::", 2)[1:]
    props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))

    def unescape(text, prop):
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
        for a, b in pairs:
            text = text.replace(a, b)
        return text
    assert unescape(props["file"], True) == name
    assert props["line"] == "2" and props["col"] == "3" and unescape(props["title"], True) == "idrun (unused)"
    assert unescape(data, False) == "100%25 ::x\\x1b[31m\r\nend"

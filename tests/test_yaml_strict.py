"""Strict YAML (handouts.yamlfile): every scalar stays text, every problem has a place, nothing hangs."""

from __future__ import annotations

import time

import pytest

from handouts.load.yamlfile import MAX_DEPTH, MAX_FILE_BYTES, YAMLProblem, YList, YMap, load_bytes, parse


def problem_of(text: str) -> YAMLProblem:
    with pytest.raises(YAMLProblem) as info:
        parse(text)
    return info.value


def one_problem(data: bytes, file: str = "content/exercises/x.yaml"):
    tree, problems = load_bytes(data, file)
    assert tree is None
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == file
    return problem


# -- scalars stay text ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("NO", "NO"), ("no", "no"), ("yes", "yes"), ("off", "off"), ("True", "True"),
    ("01234", "01234"), ("3.10", "3.10"), ("12:30", "12:30"), ("1:20:30", "1:20:30"),
    ("1980-02-30", "1980-02-30"), ("1980-02-03", "1980-02-03"), (".nan", ".nan"), ("0o17", "0o17"),
    ("1e3", "1e3"), ("9" * 5000, "9" * 5000), ("'quoted'", "quoted"), ('"12"', "12"),
])
def test_scalars_stay_text(raw, expected):
    tree = parse(f"value: {raw}\n")
    assert tree == {"value": expected}
    assert type(tree["value"]) is str


@pytest.mark.parametrize("raw", ["", "~", "null", "Null", "NULL"])
def test_plain_nulls_are_none(raw):
    assert parse(f"value: {raw}\n") == {"value": None}


@pytest.mark.parametrize("raw, expected", [("'null'", "null"), ('"~"', "~"), ("''", ""), ("nil", "nil"), ("None", "None")])
def test_quoted_or_other_words_are_not_null(raw, expected):
    assert parse(f"value: {raw}\n") == {"value": expected}


def test_tree_remembers_places():
    tree = parse("name: Bridge\ndosage:\n  sets: 2\n  reps: 10\nsteps:\n  - one\n  - two\n")
    assert isinstance(tree, YMap) and (tree.line, tree.col) == (1, 1)
    assert tree.key_at["dosage"] == (2, 1)
    assert tree["dosage"].value_at["reps"] == (4, 9)
    assert isinstance(tree["steps"], YList)
    assert tree["steps"].item_at == [(6, 5), (7, 5)]


# -- refused constructs ---------------------------------------------------------------------------

def test_duplicate_key_names_both_lines():
    p = problem_of("name: Bridge\nposition: standing\nname: Bridge again\n")
    assert (p.line, p.col) == (3, 1)
    assert "duplicate key 'name'" in p.message
    assert "line 1" in p.message


def test_duplicate_key_in_nested_mapping():
    p = problem_of("dosage:\n  sets: 2\n  reps: 3\n  sets: 4\n")
    assert p.line == 4
    assert "duplicate key 'sets'" in p.message and "line 2" in p.message


def test_same_key_in_different_mappings_is_fine():
    assert parse("a:\n  x: 1\nb:\n  x: 2\n") == {"a": {"x": "1"}, "b": {"x": "2"}}


def test_alias_refused_with_its_line():
    p = problem_of("name: &n Bridge\npurpose: text\ntitle: *n\n")
    assert p.line == 3
    assert "alias" in p.message.lower() and "*n" in p.message


def test_merge_key_alias_refused():
    p = problem_of("base: &b {sets: 1}\nx:\n  <<: *b\n")
    assert p.line == 3 and "alias" in p.message.lower()


def test_billion_laughs_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    p = problem_of("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert p.line == 2 and "alias" in p.message.lower()


@pytest.mark.parametrize("text", [
    "x: !!python/object/apply:os.system [touch canary]\n",
    "x: !!python/object/apply:os.getpid []\n",
    "x: !!python/name:os.system\n",
    "x: !!binary aGVsbG8=\n",
    "x: !!str 12\n",
    "x: !custom thing\n",
    "x: !!map {a: 1}\n",
])
def test_tags_refused(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = problem_of(text)
    assert "tag" in p.message.lower()
    assert p.line == 1 and p.col >= 1
    assert not (tmp_path / "canary").exists()


def test_tab_indentation_message():
    p = problem_of("name: Bridge\ndosage:\n\tsets: 2\n")
    assert p.line == 3
    assert "tab" in p.message.lower() and "spaces" in p.message.lower()


def test_unclosed_quote():
    p = problem_of('name: "Bridge\nposition: standing\n')
    assert p.line >= 1 and p.col >= 1
    assert "quoted" in p.message


def test_colon_inside_value():
    p = problem_of("name: Bridge\ntitle: a: b\n")
    assert (p.line, p.col) == (2, 9)
    assert "quotes" in p.message


def test_multiple_documents_refused():
    p = problem_of("name: a\n---\nname: b\n")
    assert p.line == 2
    assert "one YAML document" in p.message


def test_single_explicit_document_is_fine():
    assert parse("---\nname: a\n...\n") == {"name": "a"}


def test_keys_must_be_text():
    p = problem_of("? [a, b]\n: value\n")
    assert p.line == 1 and "keys must be plain text" in p.message


# -- nesting and size limits ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[" * 5000,
    "[" * 200_000,
    "{a: " * 5000,
    "- " * 3000 + "x\n",
    "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",
], ids=["flow-seq-5000", "flow-seq-200000", "flow-map-5000", "block-seq-3000", "block-map-300"])
def test_deep_nesting_is_a_problem_not_recursion_error(text):
    start = time.perf_counter()
    p = problem_of(text)  # pytest.raises(YAMLProblem): a RecursionError would fail here
    assert time.perf_counter() - start < 2.0
    assert f"deeper than {MAX_DEPTH}" in p.message
    assert p.line >= 1


def test_depth_at_limit_is_accepted():
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH - 1)) + "  " * (MAX_DEPTH - 1) + "leaf: v\n"
    tree = parse(text)
    for i in range(MAX_DEPTH - 1):
        tree = tree[f"k{i}"]
    assert tree == {"leaf": "v"}


def test_file_over_limit_refused_quickly():
    data = b"name: " + b"x" * (MAX_FILE_BYTES + 10) + b"\n"
    start = time.perf_counter()
    p = one_problem(data)
    assert time.perf_counter() - start < 0.5
    assert (p.line, p.col) == (1, 1)
    assert "limit" in p.message and "1,000,000" in p.message


def test_twenty_megabyte_file_refused_quickly():
    data = b"- x\n" * 5_000_000
    start = time.perf_counter()
    p = one_problem(data)
    assert time.perf_counter() - start < 0.5
    assert "limit" in p.message


def test_file_at_limit_is_parsed():
    data = b"name: " + b"x" * (MAX_FILE_BYTES - 7) + b"\n"
    assert len(data) == MAX_FILE_BYTES
    tree, problems = load_bytes(data, "big.yaml")
    assert problems == [] and len(tree["name"]) == MAX_FILE_BYTES - 7


# -- encodings -------------------------------------------------------------------------------------

def test_invalid_utf8_gives_byte_position():
    data = b"name: Bridge\npurpose: caf\xe9 au lait\n"  # cp1252 e-acute
    p = one_problem(data)
    position = data.index(b"\xe9")
    assert "UTF-8" in p.message
    assert f"byte {position}" in p.message
    assert (p.line, p.col) == (2, 13)


def test_bom_accepted():
    tree, problems = load_bytes("\ufeffname: Pont\u00e9\n".encode("utf-8"), "x.yaml")
    assert problems == []
    assert tree == {"name": "Ponté"}


@pytest.mark.parametrize("data", [b"name: a\x00b\n", b"name: a\x07b\n", b"name: a\x1b[31mb\n"])
def test_control_characters_refused_with_place(data):
    p = one_problem(data)
    assert p.line == 1 and p.col >= 1
    assert "control" in p.message


@pytest.mark.parametrize("data", [b"", b"\n\n", b"# only a comment\n", b"\xef\xbb\xbf"])
def test_empty_file_gives_no_tree_and_no_problem(data):
    # The loader turns "no tree" into "the file is empty" (see test_schema); yamlfile itself is quiet.
    assert load_bytes(data, "x.yaml") == (None, [])


def test_top_level_list_is_returned_for_the_schema_to_refuse():
    tree, problems = load_bytes(b"- a\n- b\n", "x.yaml")
    assert problems == [] and tree == ["a", "b"] and isinstance(tree, YList)


def test_problem_str_has_file_line_col():
    p = one_problem(b"a: 1\na: 2\n", "content/programs/p.yaml")
    assert str(p).startswith("content/programs/p.yaml:2:1: duplicate key 'a'")

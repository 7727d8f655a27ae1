"""Hostile input: random bytes, and real corpus templates with random mutations (byte flips,
truncation, YAML/JSON punctuation, tags, anchors). The loader and the whole compile must never
raise (an exception is an internal error) and must locate every diagnostic inside a file."""

import csv
from pathlib import Path

import pytest
from fuzz_support import compile_bytes, span_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiln.frontends.loader import LoadOptions, load_bytes

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TOKENS = [
    b"{", b"}", b"[", b"]", b":", b": ", b",", b"- ", b"? ", b'"', b"'", b"\t", b"\n", b"\r\n",
    b"---\n", b"...\n", b"#", b"|", b">-", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n", b"@", b"`",
    b"\xff", b"\x00", b"\x07", b"\xef\xbb\xbf", b"\xc3", b"\\u", b"\\ud800", b"  ", b"    ",
    b"!Ref ", b"!GetAtt a.b.c ", b"!Sub ", b"!If ", b"!Join ", b"!Select ", b"!Rain::Embed ",
    b"!!int ", b"!!float ", b"!!bool ", b"!!binary ", b"!!set ", b"!!omap ", b"!!str ", b"! ",
    b"!!python/object:os.system ", b"&a ", b"*a", b"*undefined", b"<<: *a\n", b"<<: ",
    b"get_param: ", b"get_attr: [", b"get_resource: ", b"get_file: ", b"list_join: ",
    b"str_replace: ", b"repeat: ", b"if: [", b"Fn::Join: ", b"Fn::Sub: ", b"Ref: ",
    b"heat_template_version: 2013-05-23\n", b"resources:\n", b"type: OS::Heat::None\n",
    b"properties:\n", b"depends_on: ", b"outputs:\n", b"parameters:\n", b"conditions:\n",
    b"AWSTemplateFormatVersion: '2010-09-09'\n", b"Resources:\n", b"Type: ", b"9" * 40,
    b"1" * 5000, b"1e999", b"-0", b"null", b"~", b"yes", b"2016-10-14", b"0x", b".inf",
]  # fmt: skip


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """`data` after one to eight random edits."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        size = len(buffer)
        at = draw(st.integers(0, max(size, 1) * 4)) % (size + 1)
        operation = draw(
            st.sampled_from(["flip", "byte", "truncate", "insert", "delete", "duplicate"])
        )
        if operation == "flip" and at < size:
            buffer[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "byte" and at < size:
            buffer[at] = draw(st.integers(0, 255))
        elif operation == "truncate":
            del buffer[at:]
        elif operation == "insert":
            token = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
            buffer[at:at] = token
        elif operation == "delete":
            del buffer[at : at + draw(st.integers(1, 200))]
        elif operation == "duplicate":
            piece = bytes(buffer[at : at + draw(st.integers(1, 400))])
            where = draw(st.integers(0, size))
            buffer[where:where] = piece
    return bytes(buffer)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def corpus_files(corpus) -> list[Path]:
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as index:
        rows = list(csv.DictReader(index, delimiter="\t"))
    files = [corpus / row["path"] for row in rows]
    # Smaller files first: mutations of them reach the interesting parts more often.
    return sorted((path for path in files if path.is_file()), key=lambda p: p.stat().st_size)


def check(data: bytes, name: str, workdir: Path, registries) -> None:
    result = load_bytes(data, name)  # must not raise
    assert result.root is not None or result.diagnostics, "nothing loaded and nothing said"
    small = load_bytes(data, name, LoadOptions(max_nodes=200, max_depth=8))
    assert small.root is not None or small.diagnostics
    compiled = compile_bytes(workdir, name, data, registries)  # must not raise
    assert span_problems(compiled) == []


@FAST
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".json", ".template"]))
def test_random_bytes(data, suffix, workdir, registries):
    check(data, "random" + suffix, workdir, registries)


@FAST
@given(
    text=st.text(
        alphabet=st.sampled_from(list("{}[]:,-?!&*<>|'\"#%@`\t\n\r ab01.~éx\x85\u2028")),
        max_size=200,
    ),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_random_punctuation(text, suffix, workdir, registries):
    check(text.encode("utf-8"), "punct" + suffix, workdir, registries)


def _mutate_corpus(data_strategy, corpus_files, workdir, registries) -> None:
    path = data_strategy.draw(st.sampled_from(corpus_files[: len(corpus_files) * 3 // 4]))
    data = data_strategy.draw(mutated(path.read_bytes()))
    check(data, path.name, workdir, registries)


@FAST
@given(data_strategy=st.data())
def test_mutated_corpus_templates(data_strategy, corpus_files, workdir, registries):
    _mutate_corpus(data_strategy, corpus_files, workdir, registries)


@pytest.mark.slow
@LONG
@given(data_strategy=st.data())
def test_mutated_corpus_templates_long(data_strategy, corpus_files, workdir, registries):
    _mutate_corpus(data_strategy, corpus_files, workdir, registries)


@pytest.mark.slow
@LONG
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".yaml", ".json"]))
def test_random_bytes_long(data, suffix, workdir, registries):
    check(data, "random" + suffix, workdir, registries)

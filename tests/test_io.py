"""The input readers: every format, streaming in chunks, byte ranges, and every bad-input message.

Oracles: Python's ``json`` and ``csv`` modules and sacrebleu's own file opener
read the same files; the readers must return the same values.
"""

from __future__ import annotations

import csv
import json
import math
import os
from itertools import chain, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlpmetrics.errors import InputError
from nlpmetrics.io import detect_format, read_all, read_examples


def write(path, data: bytes | str, encoding: str = "utf-8"):
    with open(path, "wb") as handle:
        handle.write(data.encode(encoding) if isinstance(data, str) else data)
    return str(path)


def jsonl(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def gather(chunks):
    preds, refs, lines = [], [], []
    for chunk in chunks:
        preds += chunk.predictions
        refs += chunk.references
        lines += chunk.lines
        assert chunk.first_line == chunk.lines[0]
    return preds, refs, lines


RECORDS = [
    {"prediction": "a b", "reference": "a c"},
    {"prediction": "", "reference": "x, \"quoted\"\nnext line"},
    {"prediction": "日本語の文。", "reference": "日本語\u2028の文\x85です"},
    {"prediction": "tab\there", "reference": "last"},
]
#: What a TSV file can hold (no tab, no newline; quotes are ordinary characters).
TSV_RECORDS = [
    {"prediction": "a b", "reference": "a c"},
    {"prediction": "", "reference": "\"quoted\" at the start, and a \"\" pair"},
    {"prediction": "日本語の文。", "reference": "日本語\u2028の文\x85です"},
    {"prediction": "\"", "reference": "last, with a comma"},
]


# ----------------------------------------------------------------------------- JSONL


def test_jsonl_keeps_json_types_and_reads_references_lists(tmp_path):
    path = write(tmp_path / "p.jsonl", "\ufeff" + jsonl([
        {"prediction": 1, "reference": 2},
        {"prediction": ["B-PER", "O"], "reference": ["B-PER", "O"]},
        {"prediction": "x", "references": ["y", "z"]},
        {"prediction": 0.5, "reference": True},
    ]).replace("\n", "\r\n", 1) + "\n   \n")
    preds, refs = read_all(path)
    assert preds == [1, ["B-PER", "O"], "x", 0.5]
    assert refs == [2, ["B-PER", "O"], ["y", "z"], True]


def test_jsonl_dotted_fields(tmp_path):
    path = write(tmp_path / "p.jsonl", jsonl([{"out": {"text": "a"}, "gold": {"texts": ["b", "c"]}, "x.y": 3}]))
    assert read_all(path, pred_field="out.text", ref_field="gold.texts.1") == (["a"], ["c"])
    assert read_all(path, pred_field="x.y", ref_field="out.text") == ([3], ["a"])


@pytest.mark.parametrize("chunk_size", [1, 3, 10_000])
def test_chunks_concatenate_to_the_whole_file_with_line_numbers(tmp_path, chunk_size):
    records = [{"prediction": f"p{i}", "reference": f"r{i}"} for i in range(7)]
    text = jsonl(records[:3]) + "\n" + jsonl(records[3:])
    path = write(tmp_path / "p.jsonl", text)
    chunks = list(read_examples(path, chunk_size=chunk_size))
    assert all(len(c) <= chunk_size for c in chunks)
    preds, refs, lines = gather(chunks)
    assert preds == [r["prediction"] for r in records]
    assert refs == [r["reference"] for r in records]
    assert lines == [1, 2, 3, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"prediction": "a", "reference": "b"}\n{"prediction": "a" "reference": "b"}\n', "p.jsonl:2: invalid JSON"),
        ('{"prediction": NaN, "reference": 1}\n', "p.jsonl:1: invalid JSON: NaN"),
        ('{"prediction": 1, "reference": Infinity}\n', "p.jsonl:1: invalid JSON: Infinity"),
        ('{"prediction": 1, "reference": -Infinity}\n', "p.jsonl:1: invalid JSON: -Infinity"),
        ('{"prediction": 1, "prediction": 2, "reference": 1}\n', "p.jsonl:1: invalid JSON: duplicate key 'prediction'"),
        ('{"prediction": 1, "reference": 1}\n[1, 2]\n', "p.jsonl:2: expected a JSON object"),
        ('{"prediction": 1, "reference": 1}\n\n{"predictoin": 1, "reference": 2}\n',
         "p.jsonl:3: no field 'prediction'; did you mean 'predictoin'?"),
        ('{"prediction": 1, "refs": 1}\n', "(fields: 'prediction', 'refs'); choose the field with --ref-field"),
        ("\n\n  \n", "no examples found"),
    ],
)
def test_jsonl_errors_name_file_and_line(tmp_path, content, message):
    path = write(tmp_path / "p.jsonl", content)
    with pytest.raises(InputError) as error:
        read_all(path)
    assert message in str(error.value)


def test_invalid_utf8_names_line_and_byte_column_and_other_encodings_read(tmp_path):
    text = jsonl([{"prediction": "ok", "reference": "ok"}, {"prediction": "日本", "reference": "語"}])
    path = write(tmp_path / "p.jsonl", text, encoding="cp932")
    with pytest.raises(InputError) as error:
        read_all(path)
    raw_line = text.splitlines()[1].encode("cp932")
    try:
        raw_line.decode("utf-8")
    except UnicodeDecodeError as reference_error:
        column = reference_error.start + 1
    assert f"p.jsonl:2: invalid UTF-8 at byte column {column}" in str(error.value)
    assert "--encoding" in str(error.value)
    assert read_all(path, encoding="cp932") == (["ok", "日本"], ["ok", "語"])
    utf16 = write(tmp_path / "p16.jsonl", text, encoding="utf-16")
    assert read_all(utf16, encoding="utf-16") == (["ok", "日本"], ["ok", "語"])


def test_utf16_without_a_byte_order_mark_is_bad_input_naming_the_file(tmp_path):
    from nlpmetrics.io.squad import read_predictions

    path = write(tmp_path / "p.jsonl", jsonl([{"prediction": "a", "reference": "a"}]), encoding="utf-16-le")
    with pytest.raises(InputError, match=r"p\.jsonl:1: invalid UTF-16 \(UTF-16 stream does not start with BOM\)"):
        read_all(path, encoding="utf-16")
    # the SQuAD reader decodes the whole file at once, where UTF-16 takes no BOM as little-endian; IDNA's
    # decoder raises a bare UnicodeError (not UnicodeDecodeError) for a bad "xn--" label
    squad = write(tmp_path / "predictions.json", '{"q1": "a.xn--zzzz"}')
    with pytest.raises(InputError, match=r"predictions\.json: not valid idna text"):
        read_predictions(squad, encoding="idna")
    idna = write(tmp_path / "i.jsonl", jsonl([{"prediction": "a", "reference": "a"}, {"prediction": "a.xn--zz"}]))
    with pytest.raises(InputError, match=r"i\.jsonl:2: invalid IDNA \(decoding with 'idna' codec failed"):
        read_all(idna, encoding="idna")


def test_missing_empty_and_directory_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_all(str(tmp_path / "missing.jsonl"))
    with pytest.raises(InputError, match="is a directory"):
        read_all(str(tmp_path))
    with pytest.raises(InputError, match="the file is empty"):
        read_all(write(tmp_path / "e.jsonl", ""))
    with pytest.raises(InputError, match="unknown encoding"):
        read_all(write(tmp_path / "x.jsonl", "{}\n"), encoding="no-such-codec")


# ----------------------------------------------------------------------------- CSV / TSV


def csv_text(records, delimiter=",", crlf=True, bom=True) -> str:
    from io import StringIO

    out = StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["id", "prediction", "reference"])
    for i, r in enumerate(records):
        writer.writerow([i, r["prediction"], r["reference"]])
    return ("\ufeff" if bom else "") + out.getvalue()


def tsv_text(records, crlf=True, bom=True) -> str:
    """TSV as GLUE-style files are written: cells joined by tabs, nothing quoted."""
    end = "\r\n" if crlf else "\n"
    lines = ["id\tprediction\treference"] + [f"{i}\t{r['prediction']}\t{r['reference']}" for i, r in enumerate(records)]
    return ("\ufeff" if bom else "") + end.join(lines) + end


def test_csv_matches_the_csv_module(tmp_path):
    path = write(tmp_path / "p.csv", csv_text(RECORDS))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    preds, refs, lines = gather(read_examples(path, chunk_size=2))
    assert preds == [r["prediction"] for r in rows]
    assert refs == [r["reference"] for r in rows]
    assert lines == [2, 3, 5, 6]  # the second record spans two lines


def test_tsv_is_read_literally_as_the_csv_module_without_quoting(tmp_path):
    path = write(tmp_path / "p.tsv", tsv_text(TSV_RECORDS))
    with open(path, encoding="utf-8-sig", newline="") as handle:  # pandas.read_csv(sep="\t", quoting=QUOTE_NONE)
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    preds, refs, lines = gather(read_examples(path, chunk_size=2))
    assert preds == [r["prediction"] for r in rows] == [r["prediction"] for r in TSV_RECORDS]
    assert refs == [r["reference"] for r in rows] == [r["reference"] for r in TSV_RECORDS]
    assert lines == [2, 3, 4, 5]


def test_delimited_several_reference_columns_and_errors(tmp_path):
    path = write(tmp_path / "p.csv", "prediction,reference_1,reference_2\na,b,c\n")
    assert read_all(path) == (["a"], [["b", "c"]])
    bad = write(tmp_path / "bad.csv", "prediction,reference\na,b\nc,d,e\n")
    with pytest.raises(InputError, match=r"bad\.csv:3: this row has 3 columns but the header has 2"):
        read_all(bad)
    with pytest.raises(InputError, match=r"p\.csv:1: no column 'pred'") as error:
        read_all(path, pred_field="pred")
    assert "(columns: 'prediction', 'reference_1', 'reference_2'); choose the column with --pred-field" in str(
        error.value)
    tsv = write(tmp_path / "bad.tsv", "prediction\treference\na\tb\tc\n")
    with pytest.raises(InputError, match=r"bad\.tsv:2: this row has 3 columns .* the delimiter \(a tab\)"):
        read_all(tsv)
    unterminated = write(tmp_path / "q.csv", 'prediction,reference\n"a,b\n')
    with pytest.raises(InputError, match=r"q\.csv:\d+: invalid CSV"):
        read_all(unterminated)


# ----------------------------------------------------------------------------- byte ranges


def _ranges(size: int, cuts: list[int]) -> list[tuple[int, int]]:
    points = [0, *sorted(set(c % (size + 1) for c in cuts)), size]
    return list(pairwise(points))


@settings(max_examples=25)
@given(cuts=st.lists(st.integers(0, 10_000), max_size=5), ext=st.sampled_from(["jsonl", "csv", "tsv"]))
def test_byte_ranges_partition_the_file_exactly(tmp_path_factory, cuts, ext):
    folder = tmp_path_factory.mktemp("ranges")
    records = RECORDS * 3
    text = {"jsonl": jsonl(records), "csv": csv_text(records), "tsv": tsv_text(TSV_RECORDS * 3)}[ext]
    path = write(folder / f"p.{ext}", text)
    whole = gather(read_examples(path))
    parts = [gather(read_examples(path, byte_range=r, chunk_size=4)) for r in _ranges(os.path.getsize(path), cuts)]
    assert tuple(list(chain.from_iterable(p[i] for p in parts)) for i in range(3)) == whole


def test_byte_range_errors_keep_absolute_line_numbers(tmp_path):
    lines = [json.dumps({"prediction": i, "reference": i}) for i in range(10)]
    lines[7] = "{broken"
    path = write(tmp_path / "p.jsonl", "\n".join(lines) + "\n")
    start = sum(len(line) + 1 for line in lines[:5])
    assert gather(read_examples(path, byte_range=(0, start)))[2] == [1, 2, 3, 4, 5]
    with pytest.raises(InputError, match=r"p\.jsonl:8: invalid JSON"):
        list(read_examples(path, byte_range=(start, os.path.getsize(path))))


# ----------------------------------------------------------------------------- text pairs


def sacrebleu_lines(path: str) -> list[str]:
    """Lines as sacrebleu's opener yields them, minus the newline and one carriage return."""
    from sacrebleu.utils import smart_open

    out = []
    with smart_open(path) as handle:
        for line in handle:
            line = line[:-1] if line.endswith("\n") else line
            out.append(line[:-1] if line.endswith("\r") else line)
    return out


@pytest.mark.parametrize(
    ("hyp", "ref"),
    [
        ("a\u2028b\nc\x85d\n\ne\r\n", "1\n2\n3\n4\n"),
        ("no final newline\n\nx", "r1\nr2\nr3"),
        ("\n", "only\n"),
        ("s\u2029t\x0bu\x0cv\x1cw\n", "one line\n"),
    ],
)
def test_text_pair_follows_sacrebleu_line_conventions(tmp_path, hyp, ref):
    hyp_path, ref_path = write(tmp_path / "hyp.txt", hyp), write(tmp_path / "ref.txt", ref)
    preds, refs = read_all(hyp_path, ref_file=ref_path)
    assert preds == sacrebleu_lines(hyp_path)
    assert refs == sacrebleu_lines(ref_path)


def test_text_pair_counts_and_several_references(tmp_path):
    hyp = write(tmp_path / "hyp.txt", "a\nb\nc\n")
    short = write(tmp_path / "ref.txt", "a\nb\n")
    with pytest.raises(InputError, match=r"hyp\.txt:3: .*hyp\.txt has 3 lines, .*ref\.txt has 2 lines"):
        read_all(hyp, ref_file=short)
    long = write(tmp_path / "long.txt", "a\nb\nc\nd\ne\n")
    with pytest.raises(InputError, match=r"hyp\.txt has 3 lines, .*long\.txt has 5 lines"):
        read_all(hyp, ref_file=long)
    other = write(tmp_path / "ref2.txt", "x\ny\nz\n")
    assert read_all(hyp, ref_file=[hyp, other]) == (["a", "b", "c"], [["a", "x"], ["b", "y"], ["c", "z"]])
    with pytest.raises(InputError, match="--ref-file"):
        read_all(hyp)
    with pytest.raises(InputError, match="--ref-file is for a plain-text file"):
        read_all(write(tmp_path / "p.jsonl", "{}\n"), ref_file=other)


def test_format_detection(tmp_path):
    assert detect_format("a.jsonl") == "jsonl"
    assert detect_format("a.CSV") == "csv"
    assert detect_format("a.tsv") == "tsv"
    assert detect_format("a.conll") == "conll"
    assert detect_format("a.out", ref_file="r.txt") == "text"
    assert detect_format("a.txt", input_format="jsonl") == "jsonl"
    with pytest.raises(InputError, match="--input-format"):
        detect_format("a.out")
    with pytest.raises(InputError, match="did you mean 'csv'"):
        detect_format("a.out", input_format="cvs")


@pytest.mark.parametrize(("message", "expected"), [
    ("predictions[1] is None; every example needs a label",
     "p.jsonl:12: the prediction is None; every example needs a label"),
    ("predictions[1] = 'x' is not a number", "p.jsonl:12: the prediction 'x' is not a number"),
    ("references[1][0] (sentence 1, position 0) is an int, not a tag string",
     "p.jsonl:12: item 1 of the reference is an int, not a tag string"),
    ("sentence 1: predictions[1] has 2 tags but references[1] has 1; every sentence needs one",
     "p.jsonl:12: the prediction has 2 tags but the reference has 1; every sentence needs one"),
    ("predictions mixes labels (predictions[0]='a', predictions[1]=3)",
     "p.jsonl:10: predictions mixes labels (the prediction='a', the prediction on line 12=3)"),
    ("predictions is a single string", "p.jsonl: predictions is a single string"),
])
def test_located_names_the_line_not_the_index_within_the_chunk(message, expected):
    from nlpmetrics.io.feed import located
    from nlpmetrics.io.source import Chunk

    chunk = Chunk(["a", "b"], ["a", "b"], 10, [10, 12])
    assert str(located(InputError(message), chunk, "p.jsonl")) == expected


@pytest.mark.parametrize(("error", "chunk_lines", "token_lines", "expected"), [
    (InputError(argument="predictions", index=1, detail="is None; every example needs a label"), [10, 12], False,
     "p.jsonl:12: the prediction is None; every example needs a label"),
    (InputError(argument="predictions", index=0, detail="= 'x' is not a number"), [10, 12], False,
     "p.jsonl:10: the prediction 'x' is not a number"),
    (InputError(argument="references", index=(1, 2), detail="is an int, not a string"), [10, 12], False,
     "p.jsonl:12: item 3 of the reference is an int, not a string"),
    (InputError(argument="references", index=(1, 2), detail="is an int, not a tag string"), [10, 12], True,
     "p.jsonl:14: the gold tag is an int, not a tag string"),
    (InputError(argument="predictions", index=(0, 1), detail="is not a tag"), [10, 12], True,
     "p.jsonl:11: the predicted tag is not a tag"),
])
def test_located_reads_the_argument_and_index_of_the_error(error, chunk_lines, token_lines, expected):
    from nlpmetrics.io.feed import located
    from nlpmetrics.io.source import Chunk

    chunk = Chunk(["a", "b"], ["a", "b"], chunk_lines[0], chunk_lines, token_lines=token_lines)
    assert str(located(error, chunk, "p.jsonl")) == expected


@pytest.mark.parametrize(("text", "number"), [
    ("1", 1), ("1.0", 1), ("1e3", 1000), ("-0.25", -0.25), (" 3\t", 3), ("+.5", 0.5), ("0.1", 0.1),
    ("12345678901234567", 12345678901234567), ("1e400", math.inf),
    ("1_000", None), ("nan", None), ("inf", None), ("-Infinity", None), ("", None), ("1,5", None), ("0x10", None),
    ("\u0661", None), ("²", None), ("1 000", None), ("e5", None), (".", None),
])
def test_number_cells_are_numbers_written_plainly(text, number):
    from nlpmetrics.io.feed import is_number_text, parse_number

    got = parse_number(text)
    assert got == number
    assert type(got) is type(number)
    assert is_number_text(text) == (number is not None and math.isfinite(number))


def test_label_columns_are_numbers_only_when_every_cell_is_a_whole_number():
    from nlpmetrics.io.feed import label_cells_are_numbers
    from nlpmetrics.io.source import Chunk

    assert label_cells_are_numbers(Chunk(["1", "0.0", "1e0"], ["0", "1", "1"], 2))
    assert not label_cells_are_numbers(Chunk(["1", "0.5"], ["0", "1"], 2))
    assert not label_cells_are_numbers(Chunk(["1", "cat"], ["0", "1"], 2))
    assert not label_cells_are_numbers(Chunk(["1", "1"], ["0", "99999999999999999999"], 2))  # past 2**53: text

"""The CoNLL reader: sentences, columns, -DOCSTART-, chunks, streams and file:line errors."""

from __future__ import annotations

import io

import pytest

import nlpmetrics as nm
from nlpmetrics.errors import InputError
from nlpmetrics.io.conll import read_conll

SAMPLE = """-DOCSTART- -X- O O

EU B-ORG B-ORG
rejects O O
German B-MISC B-MISC
call O O

Peter B-PER B-PER
Blackburn I-PER O


東京 B-地名 B-地名
に O O
"""


def write(tmp_path, text: str, name: str = "dev.conll", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def collect(chunks):
    predictions, references = [], []
    for pred, gold in chunks:
        predictions += pred
        references += gold
    return predictions, references


def test_reads_sentences_and_skips_docstart(tmp_path):
    predictions, references = collect(read_conll(write(tmp_path, SAMPLE)))
    assert references == [["B-ORG", "O", "B-MISC", "O"], ["B-PER", "I-PER"], ["B-地名", "O"]]
    assert predictions == [["B-ORG", "O", "B-MISC", "O"], ["B-PER", "O"], ["B-地名", "O"]]


def test_chunks_stream_and_report_sentence_lines(tmp_path):
    chunks = list(read_conll(write(tmp_path, SAMPLE), chunk_size=2, with_lines=True))
    assert [len(gold) for _, gold, _ in chunks] == [2, 1]
    assert [lines for _, _, lines in chunks] == [[3, 8], [12]]


def test_columns_are_configurable_and_negative_counts_from_the_end(tmp_path):
    text = "EU NNP B-ORG B-LOC\nrejects VBZ O O\n"
    predictions, references = collect(read_conll(write(tmp_path, text), gold_column=2, pred_column=-1))
    assert references == [["B-ORG", "O"]]
    assert predictions == [["B-LOC", "O"]]


def test_short_line_names_file_and_line(tmp_path):
    path = write(tmp_path, "EU B-ORG B-ORG\n\nPeter B-PER\n", name="file.conll")
    with pytest.raises(InputError) as error:
        collect(read_conll(path))
    assert str(error.value).startswith(f"{path}:3: expected at least 3 columns, got 2")


def test_text_and_binary_streams_and_crlf():
    text = "a B-PER B-PER\r\nb O O\r\n\r\nc O B-LOC\r\n"
    expected = ([["B-PER", "O"], ["B-LOC"]], [["B-PER", "O"], ["O"]])
    assert collect(read_conll(io.StringIO(text))) == expected
    assert collect(read_conll(io.BytesIO(text.encode("utf-8")))) == expected


def test_other_encodings_and_bad_bytes(tmp_path):
    path = write(tmp_path, "東京 B-地名 B-地名\n", encoding="cp932")
    assert collect(read_conll(path, encoding="cp932")) == ([["B-地名"]], [["B-地名"]])
    with pytest.raises(InputError, match=r"dev.conll:1: invalid UTF-8"):
        collect(read_conll(path))


def test_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        collect(read_conll(tmp_path / "missing.conll"))
    with pytest.raises(InputError, match="chunk_size"):
        collect(read_conll(io.StringIO(""), chunk_size=0))
    with pytest.raises(InputError, match="gold_column"):
        collect(read_conll(io.StringIO(""), gold_column="1"))


def test_blank_only_stream_yields_nothing():
    assert list(read_conll(io.StringIO("\n\n-DOCSTART- O O\n\n"))) == []


def test_scoring_a_conll_file_streams_to_the_one_shot_score(tmp_path):
    metric = nm.load("seqeval")
    for predictions, references in read_conll(write(tmp_path, SAMPLE), chunk_size=1):
        metric.update(predictions=predictions, references=references)
    predictions, references = collect(read_conll(write(tmp_path, SAMPLE)))
    whole = nm.compute("seqeval", predictions=predictions, references=references)
    assert metric.compute().scores == whole.scores
    assert whole.details["correct_entities"] == 3
    assert whole.details["true_entities"] == 4


def test_the_last_two_columns_are_read_as_conlleval_does(tmp_path):
    text = "EU NNP B-NP B-ORG B-ORG\nrejects VBZ B-VP O O\n\nPeter NNP B-NP B-PER B-LOC\n"
    predictions, references = collect(read_conll(write(tmp_path, text)))
    assert references == [["B-ORG", "O"], ["B-PER"]]
    assert predictions == [["B-ORG", "O"], ["B-LOC"]]


def test_lines_of_another_width_are_refused_when_columns_count_from_the_end(tmp_path):
    path = write(tmp_path, "EU NNP B-ORG B-ORG\nrejects O O\n", name="w.conll")
    with pytest.raises(InputError, match=r"w\.conll:2: this line has 3 columns but the first line has 4"):
        collect(read_conll(path))
    assert collect(read_conll(path, gold_column=1, pred_column=2)) == ([["B-ORG", "O"]], [["NNP", "O"]])


def test_the_token_gold_and_predicted_columns_must_differ(tmp_path):
    path = write(tmp_path, "EU B-ORG B-ORG\n", name="d.conll")
    with pytest.raises(InputError, match="must be different columns"):
        collect(read_conll(path, gold_column=1, pred_column=1))
    with pytest.raises(InputError, match=r"d\.conll:1: the token, gold and predicted tags must be different columns"):
        collect(read_conll(path, gold_column=-2, pred_column=-3))

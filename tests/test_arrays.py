"""Arrays of every framework are accepted by duck typing, copied into the state, and import nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.arrays import is_tensor, to_numpy

torch = pytest.importorskip("torch")

PREDICTIONS = [1, 0, 2, 2, 1, 0]
REFERENCES = [1, 1, 2, 0, 1, 0]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "float16", "bfloat16", "float32",
                                   "float64"])
def test_tensors_of_every_dtype_give_the_list_result(dtype):
    kind = getattr(torch, dtype)
    predictions, references = torch.tensor(PREDICTIONS, dtype=kind), torch.tensor(REFERENCES, dtype=kind)
    for name, options in [("accuracy", {}), ("f1", {"average": "macro"}), ("hamming_loss", {})]:
        expected = nm.compute(name, predictions=PREDICTIONS, references=REFERENCES, **options)
        assert nm.compute(name, predictions=predictions, references=references, **options).scores == expected.scores


def test_bool_tensors_requires_grad_and_views():
    expected = nm.compute("f1", predictions=[True, False, True], references=[True, True, True])
    got = nm.compute("f1", predictions=torch.tensor([True, False, True]), references=torch.ones(3, dtype=torch.bool))
    assert got.scores == expected.scores
    logits = torch.randn(6, 3, requires_grad=True)
    strided = torch.tensor([[r, -1] for r in REFERENCES])[:, 0]  # a non-contiguous view
    result = nm.compute("accuracy", predictions=logits.argmax(-1), references=strided)
    assert result.scores == nm.compute("accuracy", predictions=logits.argmax(-1).tolist(), references=REFERENCES).scores
    scores = nm.compute("pearson", predictions=logits[:, 0] * 2, references=logits[:, 1].to(torch.bfloat16))
    assert -1.0 <= scores["pearson"] <= 1.0


class FakeCudaTensor:
    """A tensor on another device: ``cpu()`` is the device copy, ``numpy()`` works only on the CPU."""

    def __init__(self, values, device="cuda:0"):
        self.values, self.device, self.copies = torch.as_tensor(values), device, 0

    def detach(self):
        return self

    def cpu(self):
        self.copies += 1
        return self.values.clone()

    def numpy(self):
        raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() first")

    def __len__(self):
        return len(self.values)


def test_device_tensors_are_copied_to_the_cpu_once():
    predictions, references = FakeCudaTensor(PREDICTIONS), FakeCudaTensor(REFERENCES)
    assert is_tensor(predictions)
    metrics = nm.load_many(["accuracy", "f1_macro", "recall_weighted"])
    metrics.update(predictions=predictions, references=references)
    assert (predictions.copies, references.copies) == (1, 1), "one device copy per batch, however many metrics"
    assert metrics.compute()["f1_macro"].scores == nm.compute("f1", predictions=PREDICTIONS, references=REFERENCES,
                                                              average="macro").scores


class OnlyArray:
    def __init__(self, values):
        self.values = np.asarray(values)

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def __len__(self):
        return len(self.values)


class OnlyDlpack:
    def __init__(self, values):
        self.values = np.asarray(values)

    def __dlpack__(self, **kwargs):
        return self.values.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.values.__dlpack_device__()


def test_pandas_array_protocol_and_dlpack_objects():
    pandas = pytest.importorskip("pandas")
    expected = nm.compute("accuracy", predictions=PREDICTIONS, references=REFERENCES).scores
    for wrap in (pandas.Series, OnlyArray, OnlyDlpack, np.asarray, tuple):
        got = nm.compute("accuracy", predictions=wrap(PREDICTIONS), references=wrap(REFERENCES))
        assert got.scores == expected, wrap
    assert to_numpy([1, 2]) is None
    assert to_numpy("ab") is None
    frame = pandas.DataFrame({"sport": [1, 0, 1], "tech": [0, 0, 1]})
    multilabel = nm.compute("f1", predictions=frame, references=frame.iloc[[0, 2, 1]], average="micro")
    assert multilabel.details["multilabel"]


def test_a_list_of_0d_tensors_is_a_list_of_labels_and_a_list_of_batches_is_refused():
    items = [torch.tensor(p) for p in PREDICTIONS]
    assert nm.compute("accuracy", predictions=items, references=REFERENCES).scores == \
        nm.compute("accuracy", predictions=PREDICTIONS, references=REFERENCES).scores
    batches = [torch.tensor(PREDICTIONS[:3]), torch.tensor(PREDICTIONS[3:])]
    with pytest.raises(nm.InputError, match=r"predictions\[0\] is a Tensor.*concatenate a list of batches first"):
        nm.compute("accuracy", predictions=batches, references=[0, 1])


def test_a_float_tensor_is_refused_as_a_float_list_is_with_the_fix():
    scores = [0.7, 0.2, 0.9]
    for predictions in (scores, torch.tensor(scores, dtype=torch.float64), np.array(scores)):
        with pytest.raises(nm.InputError) as caught:
            nm.compute("f1", predictions=predictions, references=[1, 0, 1])
        assert str(caught.value) == ("predictions[0] = 0.7 is not a class label; classification metrics take "
                                     "discrete labels (use pearson/spearman for continuous scores, or "
                                     "round/threshold them first; for logits or probabilities take argmax(-1) first)")
    with pytest.raises(nm.InputError, match=r"shape \(3, 2\).*take argmax\(-1\) first"):
        nm.compute("accuracy", predictions=torch.randn(3, 2), references=[1, 0, 1])
    with pytest.raises(nm.InputError, match="single value"):
        nm.compute("accuracy", predictions=torch.tensor(1), references=[1])


@pytest.mark.parametrize("name", ["accuracy", "f1", "pearson", "hamming_loss"])
def test_the_state_owns_its_data_when_a_tensor_buffer_is_refilled(name):
    options = {"average": "macro"} if name == "f1" else {}
    dtype = torch.float64 if name == "pearson" else torch.int64
    buffer_p, buffer_r = torch.zeros(4, dtype=dtype), torch.zeros(4, dtype=dtype)
    batches = [([1, 0, 1, 1], [1, 1, 0, 1]), ([0, 0, 1, 0], [0, 1, 1, 0])]
    metric = nm.load(name, **options)
    for p, r in batches:
        buffer_p.copy_(torch.tensor(p, dtype=dtype))
        buffer_r.copy_(torch.tensor(r, dtype=dtype))
        metric.update(predictions=buffer_p, references=buffer_r)
    buffer_p.fill_(7)
    expected = nm.compute(name, predictions=batches[0][0] + batches[1][0], references=batches[0][1] + batches[1][1],
                          **options)
    assert metric.compute().scores == expected.scores


def test_import_loads_no_framework_even_when_arrays_are_scored():
    code = ("import json, sys, numpy as np\nimport nlpmetrics as nm\n"
            "ms = nm.load_many(['accuracy', 'f1_macro', 'hamming_loss'])\n"
            "ms.update(predictions=np.array([1, 0, 1]), references=[1, 1, 1]).compute()\n"
            "nm.compute('f1', predictions=[[0], [1]], references=[[0], [0, 1]], average='samples')\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                           timeout=120).stdout))
    assert not loaded & {"torch", "pandas", "jax", "tensorflow", "cupy", "sklearn", "scipy"}

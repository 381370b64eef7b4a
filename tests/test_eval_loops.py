"""Every Python snippet of docs/eval-loops.md runs as it is, each in a fresh process.

The Lightning recipe runs against a small stand-in for ``lightning.pytorch``
when Lightning is not installed: a ``LightningModule`` that records
``log_dict`` and a ``Trainer.validate`` that calls ``validation_step`` on every
batch and then ``on_validation_epoch_end``, as Lightning does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "eval-loops.md"

STAND_IN = '''
import json

import torch


class LightningModule(torch.nn.Module):
    def log_dict(self, values, **kwargs):
        self.logged = {**getattr(self, "logged", {}), **values}


class Trainer:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def validate(self, model, dataloaders):
        model.eval()
        with torch.no_grad():
            for index, batch in enumerate(dataloaders):
                model.validation_step(batch, index)
        model.on_validation_epoch_end()
        print("LOGGED " + json.dumps(model.logged))
        return [model.logged]
'''


def snippets() -> list:
    text = DOC.read_text(encoding="utf-8")
    found = []
    heading = ""
    for match in re.finditer(r"^(#+ [^\n]*)$|^```python\n(.*?)^```$", text, flags=re.M | re.S):
        if match[1]:
            heading = match[1].lstrip("# ").strip()
            continue
        found.append(pytest.param(match[2], id=f"{len(found)}-{re.sub(r'[^a-z]+', '-', heading.lower())}"))
    return found


SNIPPETS = snippets()


def test_the_page_has_every_recipe():
    ids = " ".join(p.id for p in SNIPPETS)
    for recipe in ("plain-pytorch", "sequence-classification", "token-classification", "seq-seqtrainer",
                   "pytorch-lightning", "torch-distributed"):
        assert recipe in ids, recipe


@pytest.mark.parametrize("code", SNIPPETS)
def test_snippet_runs(code, tmp_path):
    pytest.importorskip("torch")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    uses_lightning = "import lightning" in code
    if uses_lightning and find_spec("lightning") is None:
        package = tmp_path / "stand_in" / "lightning"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "pytorch.py").write_text(STAND_IN)
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "stand_in"), env.get("PYTHONPATH", "")])
    if "import transformers" in code:
        pytest.importorskip("transformers")
        pytest.importorskip("accelerate")
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    if uses_lightning and find_spec("lightning") is None:
        logged = json.loads(done.stdout.split("LOGGED ", 1)[1].splitlines()[0])
        assert set(logged) == {"accuracy", "f1_macro"}
        assert all(0 <= v <= 1 for v in logged.values())

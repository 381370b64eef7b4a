"""Glue for training frameworks; each module imports nothing heavy until it is used.

:mod:`nlpmetrics.integrations.transformers`
    ``compute_metrics(...)`` for ``transformers.Trainer`` and ``Seq2SeqTrainer``.

PyTorch Lightning and plain PyTorch loops need no glue: ``docs/eval-loops.md``
shows the few lines over ``nm.load_many``, ``update`` and ``compute(sync=True)``.
"""

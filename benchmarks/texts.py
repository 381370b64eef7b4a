"""Benchmark corpora shared by the text-metric benchmarks (offline, seeded).

English: 10-40-word spans of the standard library's docstrings, predictions are noisy
copies (words dropped, replaced and inserted).  Japanese: sentences assembled from real phrases.
"""

from __future__ import annotations

import random
import re
import statistics


def english_words() -> list[str]:
    """Words of the standard library's docstrings (real English, offline)."""
    import collections
    import json
    import os
    import pydoc

    text = " ".join(filter(None, (m.__doc__ for m in (os, json, collections, re, random, statistics, pydoc))))
    text += " ".join(filter(None, (getattr(os, name).__doc__ for name in dir(os) if not name.startswith("_"))))
    return re.findall(r"[A-Za-z][A-Za-z'-]*[.,]?", text)


def english_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` (prediction, reference) pairs of 10-40 words; predictions are noisy copies."""
    rng = random.Random(seed)
    words = english_words()
    predictions, references = [], []
    for _ in range(n):
        start = rng.randrange(len(words) - 40)
        reference = words[start:start + rng.randint(10, 40)]
        prediction = [w if rng.random() > 0.15 else rng.choice(words) for w in reference if rng.random() > 0.1]
        for _ in range(rng.randint(0, 4)):
            prediction.insert(rng.randint(0, len(prediction)), rng.choice(words))
        predictions.append(" ".join(prediction[:40]))
        references.append(" ".join(reference))
    return predictions, references


def japanese_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` Japanese pairs: sentences assembled from phrases, predictions with phrases dropped or swapped."""
    rng = random.Random(seed)
    phrases = ["東京は", "日本の", "首都です。", "今日は", "天気が", "良いので", "公園を", "散歩しました。", "会議は",
               "午後三時から", "始まります。", "新しい", "モデルの", "精度が", "大きく", "向上した", "駅まで",
               "歩いて", "十分ほど", "かかります。", "、"]
    predictions, references = [], []
    for _ in range(n):
        reference = [rng.choice(phrases) for _ in range(rng.randint(5, 15))]
        prediction = [p if rng.random() > 0.2 else rng.choice(phrases) for p in reference if rng.random() > 0.1]
        predictions.append("".join(prediction))
        references.append("".join(reference))
    return predictions, references

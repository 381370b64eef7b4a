"""Real and generated texts for the BLEU / chrF / TER differential tests.

Also the bad text inputs (``BAD_TEXT_INPUTS``) that every text metric, ROUGE and BERTScore included, must refuse.
"""

from __future__ import annotations

import inspect
import random
import re

JAPANESE = [
    "東京は日本の首都です。",
    "今日はとても良い天気ですね。",
    "私は毎朝コーヒーを飲みます。",
    "この本は昨年出版されたばかりです。",
    "会議は午後三時から始まります。",
    "彼女はピアノを弾くのが上手だ。",
    "新しいモデルの精度が大きく向上した。",
    "駅まで歩いて十分ほどかかります。",
    "明日の天気予報では雨が降るそうです。",
    "ご注文の商品は本日発送いたしました。",
    "機械翻訳の評価にはBLEUがよく使われる。",
    "ＡＩによる要約は便利だが、誤りもある。",
]
CHINESE = [
    "北京是中国的首都。",
    "今天天气很好，我们去公园散步吧。",
    "这个模型的翻译质量有了明显提高。",
    "我每天早上喝一杯咖啡。",
    "会议将在下午三点开始。",
    "机器翻译的评价常用BLEU指标。",
]
KOREAN = [
    "서울은 한국의 수도입니다.",
    "오늘은 날씨가 정말 좋네요.",
    "저는 매일 아침 커피를 마십니다.",
    "회의는 오후 세 시에 시작합니다.",
    "새 모델의 번역 품질이 크게 좋아졌다.",
    "역까지 걸어서 십 분 정도 걸립니다.",
]
MIXED = [
    "Tokyo（東京）is the capital of 日本 🇯🇵.",
    "ＦＵＬＬ－ＷＩＤＴＨ　ｔｅｘｔ　ｗｉｔｈ　ｓｐａｃｅｓ。",
    "Emoji 😀 test 🎉 with words 👍🏽 and 漢字.",
    "Prices: $3.50, ¥400 and €2,000.00 — all in one line!",
    "Москва — столица России, café naïve résumé.",
    "The 3-4 split (A/B) & <tags> \"quoted\" `code` {braces} [brackets] &amp; &quot;x&quot;.",
]


def docstring_sentences(limit: int = 400) -> list[str]:
    """English sentences from standard-library docstrings (deterministic for a Python version)."""
    import argparse
    import collections
    import difflib
    import functools
    import itertools
    import json
    import string
    import textwrap

    sentences: list[str] = []
    seen: set[str] = set()
    for module in (json, collections, argparse, textwrap, difflib, string, functools, itertools):
        for _, member in sorted(inspect.getmembers(module), key=lambda item: item[0]):
            doc = inspect.getdoc(member)
            if not doc:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(doc.split())):
                if 3 <= len(sentence.split()) <= 60 and sentence not in seen:
                    seen.add(sentence)
                    sentences.append(sentence)
                    if len(sentences) >= limit:
                        return sentences
    return sentences


def perturb_words(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Drop, replace and swap some words: a plausible imperfect prediction."""
    out = []
    for word in text.split():
        roll = rng.random()
        if roll < 0.1:
            continue
        out.append(rng.choice(vocabulary) if roll < 0.25 else word)
    if len(out) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out)


def perturb_chars(text: str, rng: random.Random) -> str:
    """Drop and duplicate some characters (for scripts written without spaces)."""
    out = []
    for ch in text:
        roll = rng.random()
        if roll < 0.12:
            continue
        out.append(ch * 2 if roll > 0.93 else ch)
    return "".join(out)


def english_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(predictions, references) from docstring sentences."""
    rng = random.Random(seed)
    sentences = docstring_sentences()
    vocabulary = sorted({w for s in sentences for w in s.split()})
    references = [sentences[i % len(sentences)] for i in range(n)]
    return [perturb_words(r, rng, vocabulary) for r in references], references


def cjk_pairs(seed: int = 0) -> tuple[list[str], list[str]]:
    """(predictions, references) in Japanese, Chinese, Korean and mixed scripts."""
    rng = random.Random(seed)
    references = JAPANESE + CHINESE + KOREAN + MIXED
    return [perturb_chars(r, rng) for r in references], references


def edge_pairs(long_tokens: int = 2000) -> tuple[list[str], list[str]]:
    """Empty texts, one-word texts, whitespace-only and a ``long_tokens``-token pair."""
    rng = random.Random(7)
    words = [w for s in docstring_sentences(100) for w in s.split()]
    long_reference = " ".join(rng.choice(words) for _ in range(long_tokens))
    long_prediction = perturb_words(long_reference, rng, words)
    predictions = ["", "word", "", "hello", "   ", "a b c d", long_prediction, "東京", "😀", "trailing space  "]
    references = ["", "word", "not empty here", "", "x", "a b c d", long_reference, "東京", "😀", "trailing space"]
    return predictions, references


def multi_references(references: list[str], seed: int = 0, variable: bool = True) -> list[list[str]]:
    """Several references per example: the original plus perturbed copies (1-3 of them when ``variable``)."""
    rng = random.Random(seed)
    vocabulary = sorted({w for r in references for w in r.split()}) or ["x"]
    out = []
    for reference in references:
        count = rng.randint(1, 3) if variable else 3
        group = [reference] + [perturb_words(reference, rng, vocabulary) for _ in range(count - 1)]
        rng.shuffle(group)
        out.append(group)
    return out


def reference_groups(references: list) -> list[list[str]]:
    """Return one list of references per example (a plain string is its only reference), as nlpmetrics reads them."""
    return [[r] if isinstance(r, str) else list(r) for r in references]


def sacrebleu_streams(references: list[list[str]]) -> list[list[str | None]]:
    """Per-example reference lists as sacrebleu's reference streams, ``None`` where an example has fewer."""
    width = max(len(group) for group in references)
    return [[group[j] if j < len(group) else None for group in references] for j in range(width)]


#: ``(predictions, references, message)``: text inputs every text metric (bleu, chrf, ter, rouge, bertscore) must refuse
#: with an :class:`~nlpmetrics.errors.InputError` whose message matches the regex ``message``.
BAD_TEXT_INPUTS = [
    (["a", None], ["a", "b"], r"predictions\[1\] is None"),
    (["a", "b"], ["a", None], r"references\[1\] is None"),
    (["a", "b"], ["a", ["b", None]], r"references\[1\]\[1\] is None"),
    (["a", "b"], ["a", []], r"references\[1\] is an empty list"),
    (["a", "b"], ["a"], r"predictions has 2 entries but references has 1"),
    (["a", 3], ["a", "b"], r"predictions\[1\] is an int"),
    ([3], ["a"], r"predictions\[0\] is an int"),
]

"""sacrebleu's ``13a`` tokenizer, same output, about twice as fast.

sacrebleu's first regular expression puts spaces around every punctuation
character *and every space* with a template replacement (``r' \\1 '``), which
Python 3.11 expands in Python code once per match: most of BLEU's time goes
there.  That rule looks at one character and nothing around it, so a
``str.translate`` table built from sacrebleu's own pattern gives the same
string.  The three context rules (period/comma/dash next to digits) run as
sacrebleu's own compiled patterns, only on the words that contain those characters.
Tests compare the output with sacrebleu's tokenizer on random and real text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache


@cache
def _rules() -> tuple[dict[int, str], list[tuple[re.Pattern, Callable[[re.Match], str]]]]:
    from sacrebleu.tokenizers.tokenizer_re import TokenizerRegexp

    (single, single_repl), *context = TokenizerRegexp()._re
    if single_repl != r" \1 ":
        raise RuntimeError("sacrebleu's 13a rules changed; nlpmetrics' fast tokenizer needs updating")
    table = {code: f" {chr(code)} " for code in range(128) if single.fullmatch(chr(code))}
    if any(single.fullmatch(chr(code)) for code in range(128, 0x3000)):
        raise RuntimeError("sacrebleu's 13a punctuation class now has non-ASCII characters")
    # The rules, in sacrebleu's order, need these characters to match (checked before running them).
    if [pattern.pattern for pattern, _ in context] != [r"([^0-9])([\.,])", r"([\.,])([^0-9])", r"([0-9])(-)"]:
        raise RuntimeError("sacrebleu's 13a rules changed; nlpmetrics' fast tokenizer needs updating")
    # r"\1 \2 " -> "{0[1]} {0[2]} ".format: a C-level replacement, no Python template expansion per match.
    rules = [(pattern, re.sub(r"\\(\d)", r"{0[\1]}", repl).format) for pattern, repl in context]
    return str.maketrans(table), rules


@lru_cache(maxsize=2**16)
def tokenize_13a(line: str) -> str:
    """``sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(line)``, computed faster."""
    table, rules = _rules()
    line = line.replace("<skipped>", "")
    line = line.replace("-\n", "")
    line = line.replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"')
        line = line.replace("&amp;", "&")
        line = line.replace("&lt;", "<")
        line = line.replace("&gt;", ">")
    words = f" {line} ".translate(table).split()
    # The context rules never match across whitespace (it is neither a digit, a period, a comma nor a
    # dash, and as the character before or after one it only needs to be a non-digit, which a single
    # space also is), so they run word by word, and only on the words they can change.
    for index, word in enumerate(words):
        if "." in word or "," in word or "-" in word:
            word = f" {word} "
            for pattern, replace in rules:
                word = pattern.sub(replace, word)
            words[index] = word
    return " ".join(" ".join(words).split())

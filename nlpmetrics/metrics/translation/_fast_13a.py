r"""sacrebleu's ``13a`` tokenizer, same output, faster: line by line, or a whole batch word by word.

sacrebleu's first regular expression puts spaces around every punctuation
character *and every space* with a template replacement (``r' \1 '``), which
Python 3.11 expands in Python code once per match: most of BLEU's time goes
there.  That rule looks at one character and nothing around it, so a
``str.translate`` table built from sacrebleu's own pattern gives the same
string.  The three context rules (period/comma/dash next to digits) run as
sacrebleu's own compiled patterns, only on the words that contain those characters.
Tests compare the output with sacrebleu's tokenizer on random and real text.

None of the rules looks across whitespace (see :func:`tokenize_13a`), so a
line's tokens are the tokens of its whitespace-separated words, each
tokenized on its own: :func:`tokenize_13a_words` tokenizes the *distinct*
words of a whole batch in one pass over one string, which is how BLEU
tokenizes a corpus (each word once, however often it occurs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache


@cache
def _rules() -> tuple[dict[int, str], list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]]:
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
    rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (pattern, re.sub(r"\\(\d)", r"{0[\1]}", repl).format) for pattern, repl in context]
    return str.maketrans(table), rules


def _prepare(line: str) -> str:
    """13a's line-level part: ``<skipped>`` and end-of-line hyphens removed, lines joined, XML entities read."""
    line = line.replace("<skipped>", "")
    line = line.replace("-\n", "")
    line = line.replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"')
        line = line.replace("&amp;", "&")
        line = line.replace("&lt;", "<")
        line = line.replace("&gt;", ">")
    return line


def prepare_lines(lines: list[str]) -> list[str]:
    """:func:`_prepare` of every line (the lines themselves when none of them has anything it changes)."""
    probe = "".join(lines)
    if "<skipped>" in probe or "\n" in probe or "&" in probe:
        return [_prepare(line) for line in lines]
    return lines


def tokenize_13a_words(words: list[str]) -> list[list[str]]:
    """Return the 13a tokens of each whitespace-free word of a prepared line (see :func:`prepare_lines`).

    ``" ".join`` of the tokens of a line's words, in order, is
    ``Tokenizer13a()(line)``: every rule either looks at one character or
    at a character and its neighbour, where any whitespace acts as a
    non-digit.  All the words go through sacrebleu's rules in one string, one
    word per line.
    """
    if not words:
        return []
    table, rules = _rules()
    text = (" " + "\n".join(words) + " ").translate(table)
    for pattern, replace in rules:
        text = pattern.sub(replace, text)
    return [part.split() for part in text.split("\n")]


@lru_cache(maxsize=2**16)
def tokenize_13a(line: str) -> str:
    """``sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(line)``, computed faster."""
    table, rules = _rules()
    line = _prepare(line)
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

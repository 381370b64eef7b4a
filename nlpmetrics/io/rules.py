"""The exact rules of every input format, as ``nlpmetrics score --help`` (and so docs/cli.md) states them.

Kept next to the readers that implement them, so a change to a reader and to
its documented rule are one change.
"""

from __future__ import annotations

#: Shown at the end of ``nlpmetrics score --help``; scripts/gen_cli_docs.py puts it in docs/cli.md.
INPUT_RULES = """\
input formats (chosen by the extension; --input-format overrides):
  JSONL  one JSON object per line with 'prediction' and 'reference' (or a 'references' list);
         dotted paths reach nested fields (--pred-field output.text). JSON types are kept.
         NaN/Infinity, a duplicate key, a lone surrogate (a \\ud800 escape with no pair), nesting
         deeper than Python's recursion limit and an integer of more than 4300 digits are errors
         naming the line; blank lines are skipped.
  CSV    RFC 4180: a comma separates cells; a cell in double quotes may hold commas, newlines and
         doubled quotes (""). The first row names the columns.
  TSV    literal, as GLUE/JGLUE files and pandas with quoting=QUOTE_NONE: a tab separates cells,
         a newline ends the record, and a double quote is an ordinary character; there is no
         quoting, so a cell cannot hold a tab or a newline (a row with another number of cells
         than the header is an error).
         CSV and TSV: a column name given twice is an error at line 1; blank lines are skipped;
         columns reference_1, reference_2, ... give several references, and an empty cell there
         is no reference (not an empty one).
  text   one hypothesis per line, with --ref-file (repeat it for several references): lines are
         split on \\n only, one \\r before it is dropped, a final newline adds no line, and the
         files must have the same number of lines.
  CoNLL  one token per line in whitespace-separated columns, a blank line between sentences,
         -DOCSTART- lines skipped. The gold and the predicted tag are the last two columns, as
         conlleval reads them (token, ..., gold, predicted), so every line needs as many columns
         as the first; --conll-columns GOLD,PRED (counted from 1, negative from the end) chooses
         other columns: if either counts from the end, every line again needs as many columns
         as the first; if both count from the start, a line needs only the columns up to them.
number cells (CSV, TSV, text): a cell has no type; what the metric reads decides.
  numbers (pearson, spearman): every cell must be a number written plainly: 3, -0.25, 1e-3
         (not 1_000, nan or inf).
  labels (accuracy, precision, recall, f1): when every cell of both columns in the first 10,000
         rows is a whole number, the labels are compared as numbers (1, 1.0 and 1e0 are one
         label; a note says so), so -m f1_binary works on 0/1 columns, and a later cell that is
         not a whole number is an error. Otherwise they are text, and one number written two
         ways (1 and 1.0) is an error rather than two classes.
language codes (--lang): ISO 639-1 codes in any case, with a region or an encoding: JA, ja-JP,
  ja_JP, ja_JP.UTF-8 and jpn all mean ja. An unknown code is an error.
"""

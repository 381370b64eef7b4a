#!/usr/bin/env bash
# The quick start's main job: score every bundled example file and write a client report.
# Run from the repository root with nlpmetrics installed (see README.md, "Quick start").
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out}
mkdir -p "$out"
run() { echo; echo "\$ $*"; "$@"; }
run nlpmetrics score examples/classification.jsonl --confidence 0.95
run nlpmetrics score examples/similarity.csv -m pearson,spearman
run nlpmetrics score examples/ner.conll -m seqeval
run nlpmetrics score examples/translation.hyp.txt --ref-file examples/translation.ref.txt -m bleu,chrf,ter
run nlpmetrics score examples/summarization.ja.jsonl -m rouge,bleu --lang ja --confidence 0.95
run nlpmetrics score examples/qa.en.jsonl --confidence 0.95
run nlpmetrics score examples/qa.ja.jsonl -m squad,exact_match --lang ja --option normalize=nfkc
run nlpmetrics score examples/retrieval.en.jsonl --confidence 0.95
run nlpmetrics score examples/retrieval.run --qrels examples/retrieval.qrels --option measures=recall@5,ndcg@10,map
run nlpmetrics score examples/retrieval.ja.jsonl --lang ja
run nlpmetrics report examples/summarization.en.jsonl -m rouge,bleu --title "Summaries: example report" \
  -o "$out/report.html"
run nlpmetrics report examples/classification.ja.jsonl -m accuracy,f1 --option average=macro --lang ja \
  --title "感情分類の評価（例）" -o "$out/report.ja.html"
echo
echo "reports written: $out/report.html $out/report.ja.html"

#!/bin/sh
# backtest.sh: the second and the frozen first edition, each conditioned on the record up to
# 2025Q2 and scored on the questions that resolved in 2025Q3-2026Q1, against the base rates and a
# coin flip. Prints a Markdown table (docs/model.md, "Backtest").
# NCGSIM_TRIALS=N in the environment runs N trials instead of the files' own (for quick checks).
# Usage: scenarios/record/backtest.sh [NCGSIM] [OUTDIR]   (from the repository root)
set -eu
bin=${1:-./ncgsim}
trials=${NCGSIM_TRIALS:+-n $NCGSIM_TRIALS}
out=${2:-results/backtest}
"$bin" score $trials scenarios/record/backtest.cfg --outcomes scenarios/record/outcomes_2025_2026.csv \
    --as-of 2025Q2 -o "$out/second" > /dev/null
"$bin" score $trials scenarios/first_edition/first_edition_record.cfg \
    --outcomes scenarios/first_edition/outcomes_first_edition.csv --as-of 2025Q2 -o "$out/first" > /dev/null
# Mean Brier and log score of FILE's rows whose id is (IN = 1) or is not (IN = 0) in the first
# edition's question set, with the base rate's and the coin flip's Brier on the same rows.
summary() {
    awk -F, -v in_set="$2" -v label="$3" '
        FNR == 1 { file++ }
        file == 1 && FNR > 1 { common[$2] = 1; next }
        FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        (($(col["id"]) in common) ? 1 : 0) == in_set || in_set == 2 {
            n++; b += $(col["brier"]); l += $(col["log_score"])
            br = $(col["base_rate"]); o = $(col["outcome"])
            bb += (br - o) ^ 2; lb += -log(o == 1 ? br : 1 - br); cb += 0.25
        }
        END { if (n) printf "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f |\n", label, n, b / n, l / n, bb / n, lb / n, cb / n }
    ' "$out/first/score/score.csv" "$1"
}
echo "| forecaster, questions | n | Brier | log score | base-rate Brier | base-rate log | coin-flip Brier |"
echo "|---|---:|---:|---:|---:|---:|---:|"
summary "$out/second/score/score.csv" 2 "second edition, all questions"
summary "$out/second/score/score.csv" 1 "second edition, the questions both editions answer"
summary "$out/first/score/score.csv" 2 "first edition, the questions both editions answer"
summary "$out/second/score/score.csv" 0 "second edition, questions only it answers"
echo
echo "| question | outcome | base rate | first edition | second edition |"
echo "|---|---:|---:|---:|---:|"
awk -F, '
    FNR == 1 { file++; for (i = 1; i <= NF; i++) col[file, $i] = i; next }
    file == 1 { first[$(col[1, "id"])] = $(col[1, "forecast"]); next }
    { id = $(col[2, "id"]); f = (id in first) ? sprintf("%.3f", first[id]) : "-"
      printf "| `%s` | %s | %s | %s | %.3f |\n", id, $(col[2, "outcome"]), $(col[2, "base_rate"]), f, $(col[2, "forecast"]) }
' "$out/first/score/score.csv" "$out/second/score/score.csv"

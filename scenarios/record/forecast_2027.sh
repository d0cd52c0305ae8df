#!/bin/sh
# forecast_2027.sh: the model's forecasts for the questions that resolve in 2026Q4-2027Q4,
# conditioned on the record (scenarios/record/record_2025_2026.cfg). Prints a Markdown table
# (probability, its standard error, and the view that drives it: each view run alone).
# NCGSIM_TRIALS=N in the environment runs N trials instead of the files' own (for quick checks).
# Usage: scenarios/record/forecast_2027.sh [NCGSIM] [OUTDIR]   (from the repository root)
set -eu
bin=${1:-./ncgsim}
trials=${NCGSIM_TRIALS:+-n $NCGSIM_TRIALS}
out=${2:-results/forecast_2027}
cfg=scenarios/record/forecast_2027.cfg
"$bin" run "$cfg" $trials -q --no-plots -o "$out/mixture" > /dev/null
for v in 1 2 3 4; do
    "$bin" run "$cfg" $trials -q --no-plots --set view=$v -o "$out/view$v" > /dev/null
done
# question|variable|step label
questions='6th NCG session held by 30 Jun 2027|q_ncg6|2027Q2
7th NCG session held by 31 Dec 2027|q_ncg7|2027Q4
Any USFK troop cut announced, Oct 2026-Dec 2027|q_cut_window|2027Q4
UFS 2027 held in full (not suspended, not scaled back)|q_ufs_full|2027Q3
Seventh North Korean nuclear test by 31 Dec 2027|nk_nuclear_test|2027Q4
Japan in the NCG at 31 Dec 2027|japan_in_ncg|2027Q4
Binding USFK floor in force after the FY2028 NDAA (Dec 2027)|floor_in_force|2027Q4
Binding floor renewed in the FY2027 NDAA (Dec 2026)|floor_in_force|2026Q4
US-DPRK summit, Oct 2026-Dec 2027|q_summit_window|2027Q4
SMA formally reopened, Oct 2026-Dec 2027|q_sma_window|2027Q4
Major exercise suspended, Oct 2026-Dec 2027|q_suspension_window|2027Q4
Wartime OPCON transferred by 31 Dec 2027|opcon_transfer|2027Q4
NCG formally abolished by 31 Dec 2027|ncg_dissolved|2027Q4'
value() { # run folder, variable, step label -> mean se (the run's one result folder;
           # its name depends on --set, so it is not spelled out)
    awk -F, -v v="$2" -v l="$3" '$1 == v && $4 == l { printf "%.3f %.3f", $5, $7 }' "$1"/*/timeseries.csv
}
echo "| question | resolves | P (mixture) | se | Park | Yang | Narang | NDS 2026 |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
echo "$questions" | while IFS='|' read -r q v l; do
    set -- $(value "$out/mixture" "$v" "$l")
    row="| $q | $l | $1 | $2"
    for k in 1 2 3 4; do
        set -- $(value "$out/view$k" "$v" "$l")
        row="$row | $1"
    done
    echo "$row |"
done
ess=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ess") c = i } NR == 2 && c { print $c }' "$out"/mixture/*/summary.csv)
echo
printf 'Weight of each view after the record (prior 0.25 each):'
for v in view_park view_yang view_narang view_nds; do
    printf ' %s %s' "${v#view_}" "$(value "$out/mixture" "$v" 2026Q3 | cut -d' ' -f1)"
done
echo
echo "Effective sample size of the mixture run: ${ess:-n/a}"

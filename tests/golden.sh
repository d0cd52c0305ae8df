#!/bin/sh
# tests/golden.sh BIN OUT: runs the frozen scenarios of tests/data/golden/
# through the ncgsim binary BIN into the folder OUT (created, must not
# exist) and prints the sha256 of every CSV result file, one per line, as
# `sha256sum` writes them, paths relative to OUT, sorted.
#
# tests/test_golden.c compares this with tests/data/golden/checksums.sha256;
# `make golden` rewrites that file. Regenerate it only when a change of the
# results is meant (a new column, a model revision), and say so in the
# commit. The scenarios are frozen copies so that revising scenarios/ does
# not change the checksums.
set -eu
BIN=$1
OUT=$2
G=tests/data/golden
mkdir "$OUT"
"$BIN" run "$G" -n 2000 -j 2 --no-plots -q -o "$OUT/run"
"$BIN" run "$G/examples/quickstart.cfg" -n 2000 -j 1 --samples --no-plots -q \
    -o "$OUT/run"
"$BIN" sensitivity "$G/baseline.cfg" -n 200 --bootstrap 20 --constants 5 \
    -j 2 --no-plots -q -o "$OUT/sens"
"$BIN" sensitivity "$G/examples/quickstart.cfg" -n 500 --bootstrap 50 \
    -j 2 --no-plots -q -o "$OUT/sens"
"$BIN" sweep "$G/baseline.cfg" --vary p_sceptic_admin=0:1:0.5 \
    --vary shipbuilding_deal=0:1:1 -n 1000 -j 2 --no-plots -q -o "$OUT/sweep"
cd "$OUT"
find . -name '*.csv' | LC_ALL=C sort | xargs sha256sum

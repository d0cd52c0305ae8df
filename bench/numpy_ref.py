#!/usr/bin/env python3
"""numpy_ref.py: bench/reference.cfg written as vectorised NumPy, for `make bench`.

What a competent NumPy user would write: every trial at once, one array
operation per variable and step, NumPy's default generator (PCG64).
Usage: numpy_ref.py [TRIALS]   (default 1e6)
Prints one line: trials, the loop's own seconds and the means at the last
step, in the format of bench/hand.c.
"""
import sys
import time

import numpy as np

STEPS = 16
SEED = 12345


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t0 = time.perf_counter()
    rng = np.random.default_rng(SEED)
    p_trump = rng.beta(8.0, 2.0, trials)
    trump = rng.random(trials) < p_trump
    dead = np.zeros(trials, dtype=bool)
    troops = np.full(trials, 28500.0)
    cred = np.full(trials, 70.0)
    cut = np.zeros(trials)
    mu = np.log(3000.0)
    for _ in range(STEPS):
        dead |= rng.random(trials) < 0.01 + 0.05 * trump
        hit = trump & (rng.random(trials) < 0.08)
        cut = np.where(hit, rng.lognormal(mu, 0.4, trials), 0.0)
        troops = np.maximum(0.0, troops - cut)
        cred = np.clip(cred + 0.5 * np.where(dead, -4.0, 1.0) - cut / 1000.0
                       + rng.normal(0.0, 1.5, trials), 0.0, 100.0)
    t1 = time.perf_counter()
    print("numpy trials=%d steps=%d loop_s=%.6f trump=%.10g ncg_dead=%.10g "
          "troops=%.10g cred=%.10g cut=%.10g" % (
              trials, STEPS, t1 - t0, trump.mean(), dead.mean(),
              troops.mean(), cred.mean(), cut.mean()))


if __name__ == "__main__":
    main()

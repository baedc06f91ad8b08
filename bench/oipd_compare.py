"""Run oipd on the known-truth chains (in its own environment, .venv-bench) and print JSON lines:
class, seed, KL(true || oipd) over the truth's central 99.9 %, mean/F - 1, seconds per chain.

Invoked by bench_options.py as `.venv-bench/bin/python -m bench.oipd_compare`; imports only
numpy, pandas, scipy, oipd and tests.truth_chains.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from tests.truth_chains import CASES, TruthChain, kl_on_central, make_chain


def chain_frame(chain: TruthChain, valuation: datetime) -> pd.DataFrame:
    expiry = valuation + timedelta(days=chain.t_years * 365)
    rows = []
    for kind, mid, spread in (("call", chain.call_mid, chain.call_spread), ("put", chain.put_mid, chain.put_spread)):
        ok = np.isfinite(mid)
        rows.append(pd.DataFrame({
            "strike": chain.strikes[ok], "expiry": pd.Timestamp(expiry.date()), "option_type": kind,
            "last_price": mid[ok], "bid": mid[ok] - spread[ok] / 2, "ask": mid[ok] + spread[ok] / 2,
            "last_trade_date": pd.Timestamp(valuation)}))
    return pd.concat(rows, ignore_index=True)


def main(seeds: int) -> None:
    from oipd import MarketInputs, ProbCurve

    warnings.simplefilter("ignore")
    for name in CASES:
        for seed in range(seeds):
            chain = make_chain(name, seed)
            # expiry at midnight of a whole number of days: value at the same clock time
            days = round(chain.t_years * 365)
            valuation = datetime(2026, 1, 5)
            rate = -np.log(chain.discount) / chain.t_years
            market = MarketInputs(risk_free_rate=float(rate), valuation_date=valuation,
                                  risk_free_rate_mode="continuous", underlying_price=chain.spot)
            frame = chain_frame(chain, valuation)
            frame["expiry"] = pd.Timestamp((valuation + timedelta(days=days)).date())
            start = time.perf_counter()
            try:
                curve = ProbCurve.from_chain(frame, market)
                x, pdf = np.asarray(curve.prices, float), np.asarray(curve.pdf_values, float)
                seconds = time.perf_counter() - start
                kl = kl_on_central(chain, x, pdf)
                mean = float(np.trapezoid(x * pdf, x) / np.trapezoid(pdf, x)) / chain.forward - 1
                print(json.dumps({"class": name, "seed": seed, "kl": kl, "mean_vs_forward": mean, "seconds": seconds}))
            except Exception as error:  # oipd's failure is a result to report, not a crash
                print(json.dumps({"class": name, "seed": seed, "error": f"{type(error).__name__}: {error}"[:200]}))
            sys.stdout.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

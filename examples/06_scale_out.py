"""Scale out: a CO2-price sweep whose points are solved in parallel by a process pool.

``frontier`` (and ``premium``) take any ``concurrent.futures`` executor, e.g. a Dask
``distributed.Client`` for a cluster. Give a process pool of your own the initializer
``reset_solver_threads``: a worker forked after HiGHS has run in the parent would otherwise
wait forever on HiGHS's (not copied) threads. ``workers=N`` alone builds such a pool.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from resilient_sc import examples, frontier
from resilient_sc.analysis.parallel import reset_solver_threads


def main() -> None:
    net = examples.electronics()
    prices = [0.0, 1.0, 2.0, 4.0]  # money per unit of CO2
    with ProcessPoolExecutor(max_workers=2, initializer=reset_solver_threads) as pool:
        sweep = frontier(net, "co2_price", prices, warm_start=False, failures=(), executor=pool)
    print(sweep[["co2_price", "status", "cost", "premium_pct", "n_suppliers", "local_share",
                 "time"]].to_string(index=False, formatters={
        "cost": "{:,.0f}".format, "premium_pct": "{:.1f}%".format, "local_share": "{:.0%}".format,
        "time": "{:.1f}s".format}))


if __name__ == "__main__":
    main()

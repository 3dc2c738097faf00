"""Scale out: a CO2-price sweep whose points are solved in parallel by a process pool.

``frontier`` (and ``premium``) take any ``concurrent.futures`` executor: a process pool of
your own as here, or a Dask ``distributed.Client`` for a cluster
(``from distributed import Client; executor=Client("scheduler:8786")``). ``workers=N`` alone
builds a pool of N processes. A worker forked after HiGHS has run in the parent drops the
HiGHS threads it inherited by itself (the library's fork hook), in any pool.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from resilient_sc import examples, frontier


def main() -> None:
    net = examples.electronics()
    prices = [0.0, 1.0, 2.0, 4.0]  # money per unit of CO2
    with ProcessPoolExecutor(max_workers=2) as pool:
        sweep = frontier(net, "co2_price", prices, warm_start=False, failures=(), executor=pool)
    print(sweep[["co2_price", "status", "cost", "premium_pct", "n_suppliers", "local_share",
                 "time"]].to_string(index=False, formatters={
        "cost": "{:,.0f}".format, "premium_pct": "{:.1f}%".format, "local_share": "{:.0%}".format,
        "time": "{:.1f}s".format}))


if __name__ == "__main__":
    main()

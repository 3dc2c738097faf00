"""``python -m resilient_sc``: the console command (:mod:`resilient_sc.console`)."""

from .console import main

if __name__ == "__main__":
    raise SystemExit(main())

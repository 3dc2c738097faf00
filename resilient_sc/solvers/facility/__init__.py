"""Capacitated facility location (CFLP) inside a built model: recognition
(:mod:`.problem`), the compact model, Lagrangian bounds, primal heuristics and the two
drivers (:mod:`.multi_source`, :mod:`.single_source`)."""

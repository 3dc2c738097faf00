"""How a built model is solved: HiGHS plumbing, the route table and one module per method.

The package imports nothing at ``import resilient_sc.solvers``; import the module you need
(:mod:`.base` for the options and result types, :mod:`.routes` for :func:`~.routes.solve_linear`).
"""

"""Generic MIP machinery on any :class:`~resilient_sc.model.linear.LinearModel`: the restricted
master LP (:mod:`.master`) and a best-first LP branch and bound (:mod:`.branch_and_bound`)."""

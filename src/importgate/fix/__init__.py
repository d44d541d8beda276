"""Fixes: planned from findings and facts (plan.py, pure), rendered with a concrete
syntax tree (apply.py, libcst), attached to findings by an engine stage (stage.py)
and written, diffed or shown by run.py."""

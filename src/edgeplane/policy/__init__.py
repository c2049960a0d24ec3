"""The constraint language: Open Horizon compatible properties and constraints, pure Python, no I/O.

Modules, bottom up: ``errors`` (the one exception type), ``versions`` (OSGi-style versions and ranges),
``properties`` (typed property values), ``lexer`` and ``parser`` (text -> syntax tree), ``terms`` (the
semantics of one ``name op value`` term), ``compiler`` (tree -> reusable predicate), ``selectors``
(Kubernetes label selectors -> the same predicate form), ``explain`` (term-by-term accounts) and
``matching`` (bidirectional matching of two policy sides). Import modules, not names:
``from edgeplane.policy import compiler``.
"""

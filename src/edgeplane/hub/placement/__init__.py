"""The placement engine: from nodes, workloads, policies and model versions to each node's desired state.

Pure and in memory (no SQL, no HTTP): the store feeds it (``engine.Engine.load`` a ``inputs.Snapshot``, then
``upsert_*``/``remove_*`` as things change) and persists what it returns, assigning generation numbers.
Modules: ``inputs`` (what it is fed), ``bits`` (bitset helpers, per-rule node masks), ``fleet`` (the indexed
fleet: inverted index per property value), ``rules`` (policies compiled to match rules), ``probing`` (one
node against every rule, through term bitmasks), ``deciding`` (one node's desired content from the rules it
matches), ``sweeping`` (every node's content at once, column by column), ``explaining`` (why / why not),
``engine`` (the API).
"""

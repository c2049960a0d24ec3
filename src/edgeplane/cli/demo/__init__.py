"""``edgeplane demo``: the whole system on one machine, on the embedded defaults (SQLite, local files)."""

"""Domain-free helpers: ids, the root error, clocks, async helpers."""

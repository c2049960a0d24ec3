"""The agent's local state in SQLite (stdlib ``sqlite3``, WAL) in its data dir.

``db`` opens the database and owns the schema; ``desired`` keeps the last desired document applied;
``versions`` the per model version delivery state; ``routes`` the ESS objects each workload sees with its
own ack state; ``credentials`` the per-workload ESS tokens; ``status`` the deltas to report to the hub.
A restart reads everything back from here and recomputes the same answer.
"""

"""Content-addressed blob storage: a Protocol, digests, and the filesystem backend.

Used by the hub (registry artifacts) and by the agent (its local model cache).
"""

"""Use cases: one function per command, orchestrating rules and the store."""

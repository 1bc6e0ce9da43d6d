"""Use cases: one function per command family. Each opens the office, asks the rules,
and makes its change through the store as one commit."""

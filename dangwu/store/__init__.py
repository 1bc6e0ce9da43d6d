"""All I/O: git (the only door to it), YAML, record files, the history reader,
caches and the write transaction.
"""

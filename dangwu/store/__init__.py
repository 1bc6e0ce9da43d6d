"""All I/O: git (the only door to it), record files, the office folder, the history
reader, caches, signing and the write transaction."""

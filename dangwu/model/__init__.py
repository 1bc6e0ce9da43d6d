"""Plain typed values: the office's settings and roster, and the catalogue.

No I/O beyond reading the files they are made from. Imports nothing of dangwu but
the kernel (errors, i18n, resources).
"""

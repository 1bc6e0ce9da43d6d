"""Plain typed values: a record and its Summary, the settings and roster, the catalogue,
the history's commits and trailers, reports and opinions.

No I/O: imports nothing of dangwu but the kernel (errors, i18n, yamlio, resources).
"""

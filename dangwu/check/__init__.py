"""Validation: record, settings, catalogue and supervision files checked against their
schemas and rules, each problem at its file, line and column. Uses rules and values,
never git."""

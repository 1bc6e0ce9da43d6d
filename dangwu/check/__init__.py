"""Validation: schema and cross-field rules, as located problems."""

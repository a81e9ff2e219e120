"""Acme chart suite harness: render charts, check invariants, verify deployed releases."""

"""Tests of reading and writing ledger folders and the validate command."""

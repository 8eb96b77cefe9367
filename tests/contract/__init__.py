"""Tests of the ledger contract: money, validation rules, references."""

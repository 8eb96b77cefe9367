"""Reading and writing ledger folders (CSV or Parquet). The file-I/O adapter of the contract."""

from cbclassify.ledger_io.write import write_ledger

__all__ = ["write_ledger"]

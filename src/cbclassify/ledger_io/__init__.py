"""Reading and writing ledger folders (CSV or Parquet). The file-I/O adapter of the contract."""

from cbclassify.ledger_io.read import check_ledger_dir, read_ledger, validate_ledger_dir
from cbclassify.ledger_io.write import write_ledger

__all__ = ["check_ledger_dir", "read_ledger", "validate_ledger_dir", "write_ledger"]

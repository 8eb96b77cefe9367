"""X12 835 remittance advice -> ledger contract tables (docs/x12.md).

Pure: ``read_835`` parses the text of one file, ``convert_remittances`` builds (and merges) the
ledger. File reading and writing live in ``cbclassify.cli.x12_cmds``.
"""

from cbclassify.x12.convert import (
    ConversionResult,
    ConvertedRemittance,
    ConvertOptions,
    convert_remittances,
    era_id_for,
)
from cbclassify.x12.envelope import FileResult, read_835
from cbclassify.x12.model import Finding, Remittance
from cbclassify.x12.tokenize import Delimiters, Segment, X12SyntaxError, read_delimiters, tokenize

__all__ = [
    "ConversionResult",
    "ConvertOptions",
    "ConvertedRemittance",
    "Delimiters",
    "FileResult",
    "Finding",
    "Remittance",
    "Segment",
    "X12SyntaxError",
    "convert_remittances",
    "era_id_for",
    "read_835",
    "read_delimiters",
    "tokenize",
]

"""The ``cbclassify`` command line (Typer). One module per command group."""

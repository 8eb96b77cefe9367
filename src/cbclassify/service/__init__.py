"""The application layer between the library and its front ends (API, web pages, CLI).

Each function here is one piece of the service's work, built from the library (balances,
scoring, resolve, x12, ledger_io, model registry) and the database adapter (``store``):

- ``analysis``: a loaded ledger -> the cases to store (worklist facts, prediction,
  verification, recommendation, ledger history per credit);
- ``champion``: the champion model loaded from the MLflow registry, with its version facts;
- ``ingest``: a ledger folder or an 835 batch -> analysed, stored, snapshot kept;
- ``exports``: stored resolutions and audit rows written as CSV.

``store`` never imports this package; the API and the CLI call it.
"""

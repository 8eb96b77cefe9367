"""The manager's report: one self-contained HTML file (``build_report`` / ``write_report``)."""

from cbclassify.reports.builder import (
    ReportInputs,
    build_report,
    build_sections,
    metrics_dict,
    write_report,
)

__all__ = ["ReportInputs", "build_report", "build_sections", "metrics_dict", "write_report"]

"""Exports of reports (R3.4): CSV as Dutch Excel opens it and XLSX with real number and date
cells. Both stream the rows of a :class:`~xs_core.reports.columns.ReportTable` and write to a
temporary file next to the target, renamed into place only when complete: a failure leaves no
partial file behind."""

from xs_adapters.exports.files import ExportFormat, export_report

__all__ = ["ExportFormat", "export_report"]

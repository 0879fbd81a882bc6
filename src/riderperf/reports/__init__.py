"""Periodic supervision reports (ISO week, month, quarter) as HTML, PDF or JSON.

- `gather_report(stores, period, at=..., scope=..., scope_id=...) -> ReportData`
  (`riderperf.reports.data`): every number of a report, from the published scorecards,
  the warehouse judgments and the stats of the appeals, inspections and decisions packages.
- `render_html(data)`, `render_pdf(data)`, `report_json(data)`, `write_report(data, form,
  out)` (`riderperf.reports.render`).
- `report_command` (`riderperf.cli.reports`): the `riderperf report` CLI.

See docs/reports.md for the sections and where each number comes from.
"""

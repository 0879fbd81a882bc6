"""On-site inspections: checklist templates, inspection records, violations, corrective
actions (this package) and sampling plans (`sampling/`)."""

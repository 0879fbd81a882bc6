"""On-site inspections: checklist templates, inspection records, violations, corrective
actions (this package) and sampling plans (`sampling/`)."""

from riderperf.inspections.checklists import ChecklistError, ChecklistItem, ChecklistTemplate
from riderperf.inspections.corrective import CorrectiveAction, corrective_actions, overdue_actions
from riderperf.inspections.history import (
    Inspection,
    InspectionError,
    get_inspection,
    inspections_between,
)
from riderperf.inspections.loader import load_template
from riderperf.inspections.records import InspectionOutcome, inspection_outcomes, record_inspection
from riderperf.inspections.stats import (
    EquipmentChecks,
    compliance_by_rider,
    equipment_checks_by_day,
    inspection_stats,
)
from riderperf.inspections.template_store import (
    DEFAULT_TEMPLATE_ID,
    TemplateError,
    TemplateVersion,
    get_template,
    list_templates,
)
from riderperf.inspections.templates import (
    archive_template,
    ensure_default_template,
    publish_checklist,
    publish_template,
    publish_template_file,
    save_draft,
)
from riderperf.inspections.violations import ViolationFact, violations_between, violations_for

__all__ = [
    "DEFAULT_TEMPLATE_ID",
    "ChecklistError",
    "ChecklistItem",
    "ChecklistTemplate",
    "CorrectiveAction",
    "EquipmentChecks",
    "Inspection",
    "InspectionError",
    "InspectionOutcome",
    "TemplateError",
    "TemplateVersion",
    "ViolationFact",
    "archive_template",
    "compliance_by_rider",
    "corrective_actions",
    "ensure_default_template",
    "equipment_checks_by_day",
    "get_inspection",
    "get_template",
    "inspection_outcomes",
    "inspection_stats",
    "inspections_between",
    "list_templates",
    "load_template",
    "overdue_actions",
    "publish_checklist",
    "publish_template",
    "publish_template_file",
    "record_inspection",
    "save_draft",
    "violations_between",
    "violations_for",
]

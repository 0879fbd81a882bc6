"""On-site inspections: checklist templates, weekly plans, recorded inspections, corrective
actions and the sampling estimates of a period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from riderperf.inspections.corrective import CorrectiveAction
    from riderperf.inspections.history import Inspection
    from riderperf.inspections.template_store import TemplateVersion


class ChecklistItemRead(BaseModel):
    code: str
    label: str
    kind: str = Field(description="pass_fail, number, choice, photo or note.")
    description: str = ""
    required: bool
    weight: float = Field(description="Share of the score (0 for photo and note items).")
    severity: str | None = None
    kpi: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    options: list[str] = []
    passing: list[str] = Field(default=[], description="The choices that pass.")
    reference: str = ""


class ChecklistTemplateRead(BaseModel):
    template_id: str
    version: int
    status: str = Field(description="draft, published or archived.")
    name: str
    fingerprint: str
    created_at: UtcDatetime
    created_by: str
    published_at: UtcDatetime | None = None
    published_by: str | None = None
    archived_at: UtcDatetime | None = None
    archived_by: str | None = None

    @classmethod
    def of(cls, version: TemplateVersion) -> ChecklistTemplateRead:
        fields = set(ChecklistTemplateRead.model_fields)
        return cls(**{k: v for k, v in vars(version).items() if k in fields})


class ChecklistTemplateDetail(ChecklistTemplateRead):
    description: str = ""
    reinspection_days: dict[str, int] = Field(description="Days to put a failed item right.")
    items: list[ChecklistItemRead]

    @classmethod
    def of(cls, version: TemplateVersion) -> ChecklistTemplateDetail:
        checklist = version.checklist
        items = [
            ChecklistItemRead(
                code=i.code,
                label=i.label,
                kind=i.kind,
                description=i.description,
                required=i.required,
                weight=i.weight,
                severity=i.severity,
                kpi=i.kpi,
                minimum=i.minimum,
                maximum=i.maximum,
                unit=i.unit,
                options=list(i.options),
                passing=list(i.passing),
                reference=i.reference,
            )
            for i in checklist.items
        ]
        base = ChecklistTemplateRead.of(version).model_dump()
        return cls(
            **base,
            description=checklist.description,
            reinspection_days=dict(checklist.reinspection_days),
            items=items,
        )


class PlannedRiderRead(BaseModel):
    rider_id: str
    inclusion_probability: float
    risk_score: float
    draw_order: int


class PlanLotRead(BaseModel):
    zone_id: str
    lot_size: int
    severity: str
    code_letter: str
    standard_sample_size: int
    sample_size: int
    accept: int
    reject: int
    decidable: bool
    status: str
    selected: list[PlannedRiderRead]


class InspectionPlanRead(BaseModel):
    plan_id: str
    period: str
    seed: int
    budget: int | None = None
    policy_version: str
    design: str
    frame_size: int
    sample_size: int
    warnings: list[str]
    created_at: UtcDatetime
    created_by: str
    lots: list[PlanLotRead]

    @classmethod
    def stored(cls, session: Session, period: str) -> list[InspectionPlanRead]:
        """The period's stored plans, oldest first, with their lots and riders drawn."""
        from sqlalchemy import select

        from riderperf.sampling.orm import InspectionLotRecord
        from riderperf.sampling.store import plans_of, selections

        plans = []
        for plan in plans_of(session, period):
            lots = session.scalars(
                select(InspectionLotRecord)
                .where(InspectionLotRecord.plan_id == plan.plan_id)
                .order_by(InspectionLotRecord.zone_id)
            )
            plan_fields = {k: getattr(plan, k) for k in cls.model_fields if k != "lots"}
            read_lots = []
            for lot in lots:
                lot_fields = {
                    k: getattr(lot, k) for k in PlanLotRead.model_fields if k != "selected"
                }
                chosen = [
                    PlannedRiderRead(
                        rider_id=s.rider_id,
                        inclusion_probability=s.inclusion_probability,
                        risk_score=s.risk_score,
                        draw_order=s.draw_order,
                    )
                    for s in selections(session, plan.plan_id, lot.zone_id)
                ]
                read_lots.append(PlanLotRead(**lot_fields, selected=chosen))
            plans.append(cls(**plan_fields, lots=read_lots))
        return plans


class InspectionPlanList(BaseModel):
    period: str
    plans: list[InspectionPlanRead] = Field(
        description="Oldest first; the newest covering a zone counts."
    )


class InspectionPlanCreate(BaseModel):
    zone: str | None = Field(
        None, pattern=r"^[^\x00-\x1f\x7f]{1,64}$", description="One zone only."
    )
    budget: int | None = Field(None, ge=0, le=1_000_000, description="Most inspections possible.")
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="Reproduces the draw.")


class ItemResultRead(BaseModel):
    item_code: str
    kind: str
    value: Any = None
    passed: bool | None = Field(description="None for photo and note items.")
    weight: float
    severity: str | None = None
    kpi: str | None = None
    photo_sha256: str | None = None


class KpiResultRead(BaseModel):
    passed: int
    total: int


class PlaceRead(BaseModel):
    text: str | None = None
    lat: float | None = None
    lon: float | None = None


class InspectionRead(BaseModel):
    inspection_id: str
    rider_id: str
    zone_id: str | None = None
    template: str = Field(description="`id@version` the inspection was recorded against.")
    inspector: str
    at: UtcDatetime
    place: PlaceRead
    notes: str
    score: float = Field(description="Weighted share of passed scored items, 0 to 1.")
    nonconforming: bool
    reinspection_of: str | None = None
    failed_items: list[str]
    kpi_results: dict[str, KpiResultRead]
    violations: list[str]
    closed_actions: list[str]

    @classmethod
    def of(cls, inspection: Inspection) -> InspectionRead:
        fields = set(InspectionRead.model_fields)
        return cls(**{k: v for k, v in inspection.summary().items() if k in fields})


class InspectionDetail(InspectionRead):
    results: list[ItemResultRead]
    corrective_actions: list[CorrectiveActionRead] = Field(
        description="The actions this inspection's failures opened or joined, with due dates."
    )

    @classmethod
    def of(  # type: ignore[override]
        cls, inspection: Inspection, actions: list[CorrectiveAction], now: datetime
    ) -> InspectionDetail:
        summary = inspection.summary()
        return cls(
            **{k: v for k, v in summary.items() if k in cls.model_fields},
            corrective_actions=[CorrectiveActionRead.of(a, now) for a in actions],
        )


class InspectionPage(BaseModel):
    items: list[InspectionRead]
    total: int
    limit: int
    offset: int


class CorrectiveActionRead(BaseModel):
    action_id: str
    rider_id: str
    item_code: str
    kpi: str
    severity: str
    violation_id: str
    inspection_id: str
    opened_at: UtcDatetime
    due_on: str = Field(description="The last day (UTC) to pass a re-inspection, YYYY-MM-DD.")
    status: str = Field(description="open, closed or withdrawn.")
    closed_at: UtcDatetime | None = None
    closed_by_inspection: str | None = None
    overdue: bool

    @classmethod
    def of(cls, action: CorrectiveAction, now: datetime) -> CorrectiveActionRead:
        return cls.model_validate(action.summary(now.astimezone(UTC).date()))


class CorrectiveActionPage(BaseModel):
    items: list[CorrectiveActionRead]
    total: int
    limit: int
    offset: int


class SamplingEstimatesRead(BaseModel):
    period: str
    plans: list[dict[str, Any]]
    lots: list[dict[str, Any]]
    sample_sizes: dict[str, int]
    estimates: dict[str, Any] = Field(
        description="compliance, compliance_ht, per_item, per_kpi: value, std_error, lower, upper."
    )
    note: str | None = None


InspectionDetail.model_rebuild()

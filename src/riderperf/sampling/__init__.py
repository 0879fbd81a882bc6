"""Inspection sampling: ISO 2859-1 plans (`iso2859`), switching rules (`switching`),
risk-based selection (`service.plan_inspections`), lot results (`results`), estimates
(`stats`)."""

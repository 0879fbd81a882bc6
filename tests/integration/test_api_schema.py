"""Schemathesis over the OpenAPI description, signed in as an admin: no server errors, every
status documented, every body matching its schema (a bounded number of examples per
operation, valid and invalid input)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from riderperf.clock import fixed_clock
from riderperf.server import create_app
from tests.integration import test_api_support as support
from tests.integration.test_api_support import NOW, City

# The shared fixtures, module-scoped: a copy of the prepared city per database backend.
api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}


@pytest.fixture(scope="module")
def api_schema(api_city: City) -> Any:
    app = create_app(api_city.settings, clock=fixed_clock(NOW), include_web=False)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def exercise(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    """Runs the operation's generated cases and raises on the first broken promise."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_the_api_keeps_its_openapi_promises(
    api_schema: Any, api_city: City, mode: GenerationMode
) -> None:
    headers = api_city.headers("admin")
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        try:
            exercise(operation, mode, headers)
        except Unsatisfiable:  # no invalid input exists (an operation without parameters)
            continue
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}"[:1500])
    assert not failures, "\n\n".join(failures)

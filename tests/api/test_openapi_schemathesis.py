"""schemathesis drives every operation of the OpenAPI document against the app (WSGI,
no server), as a head-office admin by JWT and by API key, with a bounded and
repeatable set of generated requests: no answer may be a 5xx, and every answer must
be what the document declares (status code, content type, body schema).

The examples per operation are few (``MAX_EXAMPLES``) and derandomised, so a run is
the same every time and stays within about two minutes per database.
"""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance,  # noqa: E402
                                               response_schema_conformance,
                                               status_code_conformance)

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: operations of the loyalty API, whose request and response documents are being
#: completed in their own change: checked by the xfail test below until then
PENDING: set[str] = set()


def _failures(world, auth_name) -> dict[str, str]:
    auth = world.auth[auth_name]
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", world.app, headers=auth)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if operation.path.startswith("/api/v1/security/"):
            continue  # sign-in and refresh: tested in tests/console/security

        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                  database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def drive(case):
            response = case.call(headers=auth)
            case.validate_response(response, checks=CHECKS)

        try:
            drive()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported below
            failures[label] = _summary(exc)
    return failures


def _summary(exc: BaseException) -> str:
    """The failing checks of one operation, a few lines each, and the request."""
    found = []
    for sub in getattr(exc, "exceptions", None) or [exc]:
        text = str(sub)
        lines = [ln for ln in text.splitlines() if ln.strip()]
        keep = [ln for ln in lines if ln.strip().startswith(("Schema at", "Reproduce", "curl",
                                                             "Received", "Documented",
                                                             "Expected"))]
        found.append(f"  {type(sub).__name__}: {lines[0][:300] if lines else ''}\n    "
                     + "\n    ".join(k[:300] for k in keep[:4]))
    return "\n".join(found)


_RESULTS: dict[str, dict[str, str]] = {}


def _cached_failures(world, auth_name) -> dict[str, str]:
    if auth_name not in _RESULTS:
        _RESULTS[auth_name] = _failures(world, auth_name)
    return _RESULTS[auth_name]


def _report(failures: dict[str, str]) -> str:
    return "\n\n".join(f"{k}\n{v}" for k, v in sorted(failures.items()))


@pytest.mark.parametrize("auth_name", ["jwt", "api_key"])
def test_every_operation_answers_as_documented(api_world, auth_name):
    failures = {k: v for k, v in _cached_failures(api_world, auth_name).items()
                if k not in PENDING}
    assert not failures, _report(failures)

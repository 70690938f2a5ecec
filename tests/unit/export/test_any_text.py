"""Whatever a worker or client types, the PDFs still build."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casedesk.domain.documents import CopyKind, RenderOptions
from casedesk.export.assessment_pdf import build_assessment_pdf
from casedesk.export.plan_pdf import build_plan_pdf
from casedesk.export.samples import sample_assessment, sample_plan
from casedesk.export.text import printable

_text = st.text(max_size=120)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_printable_never_fails(text: str):
    printable(text)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_text, words=_text, contact=_text)
def test_plan_builds_with_any_text(name: str, words: str, contact: str):
    plan = sample_plan(1, client_name=name)
    goal = dataclasses.replace(plan.goals[0], client_words=words)
    manager = dataclasses.replace(plan.case_manager, phone=contact, name=words or "x")
    plan = dataclasses.replace(plan, goals=(goal,), case_manager=manager)
    for copy in CopyKind:
        assert build_plan_pdf(plan, RenderOptions(copy=copy)).data.startswith(b"%PDF-")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(domain=_text, strength=_text)
def test_assessment_builds_with_any_text(domain: str, strength: str):
    document = sample_assessment()
    first = dataclasses.replace(document.domains[0], domain=domain, strengths=strength)
    document = dataclasses.replace(document, domains=(first, *document.domains[1:]))
    assert build_assessment_pdf(document).data.startswith(b"%PDF-")

"""Assessments tab: strengths-based assessment form, distance-travelled charts, needs."""

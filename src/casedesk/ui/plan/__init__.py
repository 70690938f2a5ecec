"""The Plan tab: the living case plan, goals with the SMART coach, actions, reviews, versions."""

from casedesk.ui.plan.plan_tab import PlanTab, PlanTabData, load_plan_tab

__all__ = ["PlanTab", "PlanTabData", "load_plan_tab"]

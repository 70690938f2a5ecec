"""The Tasks screen: every derived task, grouped overdue / today / next 7 days."""

from casedesk.ui.tasks_screen.tasks_screen import TasksScreen

__all__ = ["TasksScreen"]

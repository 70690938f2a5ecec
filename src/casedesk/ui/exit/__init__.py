"""Exit: end support with reasons, summary, feedback and a follow-up date."""

from casedesk.ui.exit.exit_dialog import ExitDialog

__all__ = ["ExitDialog"]

"""First run: create a vault, choose a passphrase, keep the recovery key; and the demo vault."""

from casedesk.ui.welcome.demo_setup import DemoSetupDialog
from casedesk.ui.welcome.welcome_dialog import WelcomeDialog

__all__ = ["DemoSetupDialog", "WelcomeDialog"]

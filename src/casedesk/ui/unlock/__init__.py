"""Unlocking a vault: passphrase, or the recovery key followed by a new passphrase."""

from casedesk.ui.unlock.unlock_dialog import UnlockDialog
from casedesk.ui.unlock.unlock_panel import UnlockPanel

__all__ = ["UnlockDialog", "UnlockPanel"]

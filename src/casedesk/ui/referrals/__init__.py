"""The Referrals tab: referrals out, tracked until closed, with a consent warning."""

from casedesk.ui.referrals.referrals_tab import ReferralsTab

__all__ = ["ReferralsTab"]

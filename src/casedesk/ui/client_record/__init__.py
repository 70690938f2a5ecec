"""One client's record: header, Profile, Intake, Consent, Notes, History and later tabs."""

"""Plan documents on the client record: sign, preview, print, verify, wet ink."""

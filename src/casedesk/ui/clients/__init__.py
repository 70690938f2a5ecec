"""The Clients screen: the searchable caseload list and the new client form."""

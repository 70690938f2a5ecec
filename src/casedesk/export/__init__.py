"""Document export: PDF building, signing and verification. No Qt, no storage."""

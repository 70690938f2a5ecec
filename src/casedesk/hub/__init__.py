"""The sync hub: a server-ordered log of ciphertext envelopes. No Qt, no client storage."""

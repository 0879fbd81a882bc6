"""The append-only, hash-chained audit log: every state change, who made it and when."""

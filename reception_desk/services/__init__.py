"""Use cases: each opens its own transaction; the UI and the CLI call these, never SQL."""

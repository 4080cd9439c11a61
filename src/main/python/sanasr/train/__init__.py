"""Training stages a-d (one module each) and ``all`` (a-e with one minute budget)."""

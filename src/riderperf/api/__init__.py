"""The HTTP API: a FastAPI application under /api/v1 with sessions, tokens and roles."""

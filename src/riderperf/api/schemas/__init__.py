"""Pydantic models of what the API reads and answers (XCreate, XRead, XPage)."""

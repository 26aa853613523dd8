"""Verity's FastAPI web app."""

"""Observation: see ARCHITECTURE.md, the ui section."""

"""Trainee: see ARCHITECTURE.md, the ui section."""

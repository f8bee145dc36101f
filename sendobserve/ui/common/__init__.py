"""Common: see ARCHITECTURE.md, the ui section."""

"""Privacy: see ARCHITECTURE.md, the ui section."""

"""Navigation: see ARCHITECTURE.md, the ui section."""

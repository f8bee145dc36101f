"""Shell: see ARCHITECTURE.md, the ui section."""

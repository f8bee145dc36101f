"""Exchange: see ARCHITECTURE.md, the ui section."""

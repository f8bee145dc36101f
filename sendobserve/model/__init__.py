"""The domain model and the rules: Qt-free."""

"""Signed, encrypted exchange files between installations. Qt-free."""

"""PDF reports and certificates (ReportLab, pyHanko). Qt-free."""

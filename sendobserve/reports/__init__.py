"""PDF reports and certificates (ReportLab, pyHanko). Qt-free.

Each report takes a plain content object from ``content`` and returns PDF bytes:
``certificate.form4_pdf``/``form5_pdf``, ``observation.observation_pdf``,
``readiness.readiness_pdf`` and ``portfolio.portfolio_pdf`` (with progress and
cancel). ``build`` fills content from the domain; ``pki`` and ``signing`` make the
local signing root, sign certificates (PAdES B-B) and verify them offline.

ReportLab, pyHanko and cryptography are imported inside the functions that use
them, so importing this package at start-up costs nothing.
"""

"""Print preview, printing and Save as PDF, and the controller behind the Print menu,
split by concern:

- ``pages``: PDFium rasterising and painting for a printer (worker-safe);
- ``preview``: ``PrintPreviewDialog`` (zoom, Print, Save as PDF);
- ``signers``: ``SignerDialog`` and ``CertificateSignaturesDialog`` (drawn signatures);
- ``controller``: ``PrintController``, what the Print menu and other screens call.

The progress dialog they share with the exchange dialogs is ``ui.common.progress``.
"""

from sendobserve.ui.printing.controller import PrintController
from sendobserve.ui.printing.pages import (
    PREVIEW_DPI,
    PRINT_MAX_DPI,
    page_count,
    page_sizes,
    paint_pages,
    rasterise,
)
from sendobserve.ui.printing.preview import MAX_CACHED, ZOOM_STEPS, PrintPreviewDialog
from sendobserve.ui.printing.signers import CertificateSignaturesDialog, SignerDialog

__all__ = ["MAX_CACHED", "PREVIEW_DPI", "PRINT_MAX_DPI", "ZOOM_STEPS",
           "CertificateSignaturesDialog", "PrintController", "PrintPreviewDialog",
           "SignerDialog", "page_count", "page_sizes", "paint_pages", "rasterise"]

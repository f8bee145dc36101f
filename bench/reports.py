"""Timings for the certificate and the portfolio (not collected by pytest).

Run from the repository root:  python -m bench.reports
Libraries are imported and fonts registered before timing, as in a running app.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sendobserve.pki import certificates as pki
from sendobserve.reports import certificate, portfolio, signing
from tests.reports import samples


def _median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    content = samples.form4(discretions=True)
    root = pki.create_root("Kestrel Dispute Resolution")
    creds = pki.issue_signer(root, samples.SIGNER)
    pdf = certificate.form4_pdf(content)  # warm-up: imports, fonts, styles
    signed = signing.sign_pdf(pdf, creds, root.cert_pem, serial="SO4-2026-000007")
    signing.verify_pdf(signed, [root.cert_pem])
    big = samples.portfolio(30)
    portfolio.portfolio_pdf(samples.portfolio(2))

    rows = [
        ("build Form 4", _median_ms(lambda: certificate.form4_pdf(content), 20)),
        ("sign Form 4", _median_ms(
            lambda: signing.sign_pdf(pdf, creds, root.cert_pem, serial="SO4-2026-000007"), 20)),
        ("verify Form 4", _median_ms(lambda: signing.verify_pdf(signed, [root.cert_pem]), 20)),
        ("portfolio, 30 observations", _median_ms(lambda: portfolio.portfolio_pdf(big), 5)),
    ]
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(portfolio.portfolio_pdf(big))).pages)
    for name, (median, low, high) in rows:
        print(f"{name:28s} median {median:7.1f} ms  (min {low:.1f}, max {high:.1f})")
    print(f"portfolio pages: {pages}")


if __name__ == "__main__":
    main()

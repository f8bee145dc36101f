"""Form definitions (Forms 1–3) as versioned data: Qt-free."""

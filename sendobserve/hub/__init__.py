"""The organisation hub: where laptops meet when they have a network.

``server`` is the service (Starlette on uvicorn, PostgreSQL through SQLAlchemy and
psycopg 3); it stores exchange files as opaque, content-addressed objects with a minimal
routing index and never holds a key that opens them. ``client`` and ``sync`` are the
installation's side: signed requests over HTTPS pinned to the organisation's root, push
by content hash, pull by cursor, import through the exchange layer's preview/apply.
``protocol`` is what both sides share. Nothing here imports Qt.
"""

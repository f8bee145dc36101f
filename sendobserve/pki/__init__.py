"""Keys, signatures and certificates, below the store (Qt-free, no storage imports).

- ``certificates``: the organisation's local root, a signing certificate per signer, the
  verification code printed on Form 4 and Form 5.
- ``identity``: an installation's Ed25519 signing identity and X25519 exchange key,
  fingerprints read aloud, revocations.
- ``provenance``: the author's signature on an observation's origin, made at finalising,
  and the rule an amendment must meet to continue a held version.
- ``canonical``: the byte form everything here signs.

The store keeps the keys (``storage.repositories.certificates``, ``storage.exchange``);
reports and the exchange use what is here. Nothing here imports ``storage``, ``reports``
or ``exchange``.
"""

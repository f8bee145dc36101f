"""The OS keyring as a *cache* of the data key, so a normal start needs no typing.

Only keyrings that keep secrets encrypted by the operating system are trusted: macOS
Keychain, Windows Credential Locker, Secret Service (GNOME Keyring, KeePassXC…) and
KWallet. Anything else — no keyring, the null or fail backend, a plaintext file
(``keyrings.alt``), or a chain that includes any of those — is refused with a reason
the UI and CLI show, and the passphrase is asked for instead. Losing the cache loses
nothing: the key file beside the database still opens the store.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

SERVICE = "sendobserve"

# module.ClassName of the backends that encrypt secrets with the user's OS login.
TRUSTED_BACKENDS = frozenset(
    {
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)

_extra_trusted: set[str] = set()


def trust_backend_for_tests(backend_class: type) -> None:
    """Trust one more backend class. Only the test suite calls this (in-memory keyring)."""
    _extra_trusted.add(_qualname(backend_class))


def untrust_backend_for_tests(backend_class: type) -> None:
    _extra_trusted.discard(_qualname(backend_class))


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@dataclass(frozen=True)
class KeyringStatus:
    """Which backend the keyring library picked, and whether we use it (and if not, why)."""

    backend: str
    trusted: bool
    reason: str | None = None

    def describe(self) -> str:
        if self.trusted:
            return f"OS keyring in use: {self.backend}"
        return f"no trusted OS keyring: {self.reason}"

    def plain(self) -> str:
        """The same for a person at a screen: what it means, no backend class names."""
        if self.trusted:
            return "your OS keyring keeps the key"
        reason = self.reason or ""
        if "no OS keyring is available" in reason or reason.endswith("chains no backends"):
            return "there is no OS keyring on this computer"
        if "switched off" in reason:
            return "the OS keyring is switched off"
        if "plain text" in reason or "in a file" in reason:
            return "the only keyring here keeps secrets in a plain file"
        if reason.startswith("the keyring failed"):
            return "the OS keyring did not answer"
        return "this computer's keyring is not one sendobserve trusts"


def _judge(backend: Any) -> KeyringStatus:
    name = _qualname(type(backend))
    if name in TRUSTED_BACKENDS or name in _extra_trusted:
        return KeyringStatus(name, True)
    module = type(backend).__module__
    if name == "keyring.backends.chainer.ChainerBackend":
        members = list(getattr(backend, "backends", []))
        if not members:
            return KeyringStatus(name, False, f"{name} chains no backends")
        for member in members:
            judged = _judge(member)
            if not judged.trusted:
                return KeyringStatus(name, False, f"{name} includes {judged.reason}")
        return KeyringStatus(name, True)
    if module.startswith("keyring.backends.fail"):
        return KeyringStatus(name, False, f"{name}: no OS keyring is available on this computer")
    if module.startswith("keyring.backends.null"):
        return KeyringStatus(name, False, f"{name}: the keyring is switched off")
    if "plaintext" in name.lower():
        return KeyringStatus(name, False, f"{name} stores secrets in plain text")
    if module.startswith("keyrings.alt"):
        return KeyringStatus(name, False, f"{name} keeps secrets in a file, not the OS keyring")
    return KeyringStatus(name, False, f"{name} is not one of the trusted OS keyrings")


class KeyCache:
    """Load, save and forget a store's data key in the OS keyring, if it is trustworthy."""

    def __init__(self) -> None:
        self._status: KeyringStatus | None = None

    def status(self) -> KeyringStatus:
        if self._status is None:
            try:
                import keyring

                backend = keyring.get_keyring()
            except Exception as exc:  # a broken keyring configuration must not stop the app
                self._status = KeyringStatus("unknown", False, f"the keyring failed: {exc}")
            else:
                self._status = _judge(backend)
        return self._status

    @staticmethod
    def _username(store_id: str) -> str:
        return f"data-key:{store_id}"

    def load(self, store_id: str) -> bytes | None:
        """The cached data key, or None (no trusted keyring, nothing cached, or unreadable)."""
        if not self.status().trusted:
            return None
        import keyring

        try:
            value = keyring.get_password(SERVICE, self._username(store_id))
        except Exception:
            return None
        if not value:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            return None
        return key if len(key) == 32 else None

    def save(self, store_id: str, data_key: bytes) -> str | None:
        """Cache the key; returns why it was not cached, or None when it was."""
        status = self.status()
        if not status.trusted:
            return status.reason
        import keyring

        try:
            keyring.set_password(SERVICE, self._username(store_id), data_key.hex())
        except Exception as exc:
            return f"the OS keyring refused the key: {exc}"
        return None

    def forget(self, store_id: str) -> None:
        if not self.status().trusted:
            return
        import keyring
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            keyring.delete_password(SERVICE, self._username(store_id))

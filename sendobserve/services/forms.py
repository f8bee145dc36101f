"""The forms a store works with, as use cases: the registry (the Standards' own and every
version stored with the records) and installing a provider's own version. Qt-free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sendobserve.services import Done
from sendobserve.services.changes import Changes

if TYPE_CHECKING:
    from sendobserve.forms.definition import FormDefinition
    from sendobserve.services import Sessions


def install_form(store: Sessions, source: str, source_name: str, *, make_default: bool
                 ) -> Done[FormDefinition]:
    """Check a provider's form text against the forms in use and store it in one
    transaction; refused (nothing stored) if it does not validate or drops, demotes or
    moves a core criterion. ``make_default``: new observations of that form start on it."""
    from sendobserve.storage.repositories import install_form as install

    form = install(store.session, source, source_name, make_default=make_default)
    return Done(form, Changes(forms=True))

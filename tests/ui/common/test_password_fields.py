"""Password fields give assistive technology nothing of what is typed.

Qt's password-mode line edit announces each inserted character to the accessibility bus
(the events carry the line control's text). ``PasswordField`` keeps the secret aside: the
line control, which every accessibility event and interface reads, only ever holds
bullets, and the field's accessible value is empty. Every password field of the app is
checked, typed into the way a person types, edits included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QGuiApplication, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from sendobserve.ui.common.lock import LockPage
from sendobserve.ui.common.secret_field import MASK, PasswordField
from sendobserve.ui.exchange.dialogs import ExportDialog, ImportDialog
from sendobserve.ui.shell.dialogs import FirstRunDialog, UnlockDialog

SECRET = "Tr0ub4dor & 3 horses"
PACKAGE = Path(__file__).resolve().parents[3] / "sendobserve"


def _no_store(_secret: str) -> str:
    raise AssertionError("nothing is created or opened in this test")


WHERE: dict[str, Callable[[], QWidget]] = {
    "lock page": LockPage,
    "first run": lambda: FirstRunDialog(Path("unused"), _no_store),
    "unlock": lambda: UnlockDialog(Path("unused"), _no_store),
    "export": lambda: ExportDialog(()),
    "import": ImportDialog,
}


def _exposed(field: QLineEdit) -> list[str]:
    """Everything of the field's content that Qt or assistive technology can reach."""
    iface = QAccessible.queryAccessibleInterface(field)
    texts = [QLineEdit.text(field), field.displayText(),
             *(iface.text(kind) for kind in QAccessible.Text)]
    text_iface = iface.textInterface()
    if text_iface is not None:  # there is none: nothing to read back through it either
        texts.append(text_iface.text(0, text_iface.characterCount()))
    return texts


def _assert_hidden(field: PasswordField, secret: str) -> None:
    assert field.text() == secret
    line_control = QLineEdit.text(field)
    assert line_control == MASK * len(secret)
    iface = QAccessible.queryAccessibleInterface(field)
    assert iface.text(QAccessible.Text.Value) == ""
    assert iface.textInterface() is None
    assert iface.state().passwordEdit
    for exposed in _exposed(field):
        for word in re.findall(r"[^\W_]{3,}", secret):
            assert word not in exposed


@pytest.mark.parametrize("where", sorted(WHERE))
def test_every_password_field_exposes_nothing_typed(qtbot: Any, where: str) -> None:
    root = WHERE[where]()
    qtbot.addWidget(root)
    root.show()
    qtbot.waitExposed(root)
    hidden = [e for e in root.findChildren(QLineEdit)
              if e.echoMode() != QLineEdit.EchoMode.Normal or isinstance(e, PasswordField)]
    assert hidden, "each of these screens asks for a passphrase"
    for field in hidden:
        assert isinstance(field, PasswordField), field.accessibleName()
        assert field.accessibleName()  # a name, which says what it is, not what it holds
        field.setFocus()
        QTest.keyClicks(field, SECRET)
        _assert_hidden(field, SECRET)
        # Edits: Backspace, Home, Delete, a selection typed over, paste.
        QTest.keyClick(field, Qt.Key.Key_Backspace)
        QTest.keyClick(field, Qt.Key.Key_Home)
        QTest.keyClick(field, Qt.Key.Key_Delete)
        QTest.keyClick(field, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClicks(field, "Ö")
        QGuiApplication.clipboard().setText("pasted words")
        QTest.keyClick(field, Qt.Key.Key_End)
        QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        expected = "Ö" + SECRET[2:-1] + "pasted words"
        _assert_hidden(field, expected)
        # Copy and cut give nothing away; undo does not bring back unknown text.
        QGuiApplication.clipboard().setText("clipboard before")
        field.selectAll()
        QTest.keyClick(field, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(field, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert QGuiApplication.clipboard().text() == "clipboard before"
        _assert_hidden(field, expected)
        field.clear()
        _assert_hidden(field, "")


def test_no_password_mode_line_edit_outside_the_password_field() -> None:
    """A new passphrase box must be a PasswordField: Qt's own one leaks to the bus."""
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.name != "secret_field.py"
                 and re.search(r"EchoMode\.(Password|PasswordEchoOnEdit|NoEcho)\b",
                               p.read_text(encoding="utf-8"))]
    assert offenders == [], ("a passphrase box must be sendobserve.ui.common.secret_field."
                             f"PasswordField, not QLineEdit in password mode: {offenders}")


def test_show_what_i_type_shows_it_and_hiding_again_takes_it_back(qtbot: Any) -> None:
    dialog = UnlockDialog(Path("unused"), _no_store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.secret.setFocus()
    QTest.keyClicks(dialog.secret, "open sesame")
    dialog.show_secret.setChecked(True)  # the person asks to see it
    assert dialog.secret.displayText() == "open sesame"
    QTest.keyClicks(dialog.secret, "!")
    dialog.show_secret.setChecked(False)
    _assert_hidden(dialog.secret, "open sesame!")


def _type(widget: QWidget, text: str) -> None:
    """Key presses carrying any character (QTest's own only knows a keyboard's keys)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, ch))


# Characters that stand alone on screen: a combining mark or a conjoining vowel joins
# the character before it into one grapheme, which a plain field's cursor steps over in
# one move and the bullets of a password field in two.
_ALONE = st.one_of(st.characters(max_codepoint=0x24F, blacklist_categories=("Cc", "Cs")),
                   st.sampled_from("€£ЖжΩλ中文ßŁłŻżØ"))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.one_of(
    st.text(alphabet=_ALONE, min_size=1, max_size=3),
    st.sampled_from(["<BS>", "<DEL>", "<HOME>", "<END>", "<LEFT>", "<SEL-LEFT>", "<ALL>"])),
    max_size=25))
def test_the_secret_follows_any_typing_exactly(qtbot: Any, keys: list[str]) -> None:
    """Whatever is typed and edited, the field holds what a plain line edit would hold,
    and the line control only bullets."""
    field = PasswordField()
    plain = QLineEdit()
    for widget in (field, plain):
        qtbot.addWidget(widget)
    moves = {"<BS>": Qt.Key.Key_Backspace, "<DEL>": Qt.Key.Key_Delete, "<HOME>": Qt.Key.Key_Home,
             "<END>": Qt.Key.Key_End, "<LEFT>": Qt.Key.Key_Left}
    for key in keys:
        for widget in (field, plain):
            if key in moves:
                QTest.keyClick(widget, moves[key])
            elif key == "<SEL-LEFT>":
                QTest.keyClick(widget, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
            elif key == "<ALL>":
                widget.selectAll()
            else:
                _type(widget, key)
    assert field.text() == plain.text()
    assert QLineEdit.text(field) == MASK * len(plain.text())

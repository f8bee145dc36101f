"""The panel at a glance: every mediator's stage, for a provider's admin or lead PPC."""

from sendobserve.ui.panel.model import PanelFilterProxy, PanelTableModel
from sendobserve.ui.panel.view import PanelView

__all__ = ["PanelFilterProxy", "PanelTableModel", "PanelView"]

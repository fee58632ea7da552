"""The error for a template that is not there, apart from the template types: the
services that only catch it (agenda, sessions, backlog) are imported by every command
and need nothing else of the templates."""

from __future__ import annotations

from rmpair.i18n import _


class TemplateNotFound(KeyError):
    """Raised for a template name (or kind) that is not available."""

    def __init__(self, name: str, kind: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.kind = kind

    def __str__(self) -> str:
        if self.kind:
            return _("No {kind} template named '{name}'.").format(kind=self.kind, name=self.name)
        return _("No template named '{name}'.").format(name=self.name)

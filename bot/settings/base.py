"""What every settings section shares: frozen, and no unknown key."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SettingsError(Exception):
    """A configuration problem, with a message that names the offending key."""


class Section(BaseModel):
    """A settings section: frozen, and an unknown key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

"""A command's output schema as a flat list of fields: the runtime's (the Splunk adapter needs it at run time)."""
from __future__ import annotations

from soarpacks.integrations.common.platform.fields import ARRAY, Field, command_fields

__all__ = ["ARRAY", "Field", "command_fields"]

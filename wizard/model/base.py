"""What every answers table shares: strict, frozen tables and the typed values they hold.

The annotated types run `wizard.fields`' check of one value, so every table (and both front
ends, which call the same checks) refuses a bad host, port or path the same way.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from wizard import fields

Host = Annotated[str, AfterValidator(fields.check_host)]
Port = Annotated[int, AfterValidator(fields.check_port)]
Home = Annotated[str, AfterValidator(fields.check_home)]
SystemName = Annotated[str, AfterValidator(fields.check_system_name)]
Text = Annotated[str, AfterValidator(fields.check_xml_text)]
NonEmptyText = Annotated[str, AfterValidator(fields.check_non_empty_text)]


class Strict(BaseModel):
    """An answers table: unknown keys are refused, and a validated value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

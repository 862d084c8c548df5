"""Interoperability: XLSForm for ODK and Kobo, ODK submissions, FHIR R4 and JSON Schema.

Each route lives in its own module and imports its heavy library (openpyxl) only when it
runs, so the rest of dhti starts fast and the core never learns about these formats.
"""

from __future__ import annotations

from dhti.errors import DhtiError


class ConversionError(DhtiError):
    """A questionnaire or a file cannot be converted to or from another format (exit code 1)."""

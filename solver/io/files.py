"""JSON documents in and out: bytes or text to read, files to write.

Unreadable input is an :class:`~solver.errors.InputError`, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from solver.errors import InputError, Issue
from solver.io.schemas.common import JsonDict


def json_text(data: bytes | str | Mapping[str, Any], source: str) -> str:
    """Return the JSON text of ``data``; InputError if not UTF-8 or not JSON-serialisable."""
    if isinstance(data, str):
        return data
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError(
                [
                    Issue(
                        code="INPUT_MALFORMED_JSON",
                        message=f"{source} is not UTF-8 text (bad byte at offset {error.start}).",
                        hint="Save the file as UTF-8.",
                    )
                ],
                source=source,
            ) from None
    try:
        return json.dumps(data, allow_nan=True)
    except (TypeError, ValueError) as error:
        raise InputError(
            [
                Issue(
                    code="INPUT_MALFORMED_JSON",
                    message=f"{source} holds a value JSON cannot represent ({error}).",
                    hint="Use only dicts, lists, strings, numbers, booleans and None.",
                )
            ],
            source=source,
        ) from None


def read_bytes(path: Path) -> bytes:
    """The bytes of the file at ``path``; ``INPUT_FILE`` InputError if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(
            [
                Issue(
                    code="INPUT_FILE",
                    message=f"{path} cannot be read: {reason}.",
                    hint="Check the file name and that the file exists and is readable.",
                )
            ],
            source=str(path),
        ) from None


def write_json(data: JsonDict, path: Path) -> None:
    """Write ``data`` to ``path`` as indented UTF-8 JSON with a final newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")

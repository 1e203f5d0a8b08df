"""Checks Bot API calls and objects against the official spec (vendored in spec_data/api.json).

Parameters arrive as Telegram receives them: strings from a form (objects JSON-encoded inside) or
JSON values. Each is converted to the spec's type and checked; objects are checked field by field,
recursively, with unknown fields rejected (Telegram ignores them, but in our own code an unknown
field is always a bug worth hearing about).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# Vendored from PaulSonOfLars/telegram-bot-api-spec (MIT, see spec_data/LICENSE): Bot API 10.1.
SPEC_PATH = Path(__file__).resolve().parent / "spec_data" / "api.json"
CALLBACK_DATA_LIMIT = 64
BUTTON_KINDS_EXEMPT = {"text", "icon_custom_emoji_id", "style"}


class ApiError(Exception):
    """A request Telegram would refuse: HTTP status and Telegram's description."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    """A 400 with Telegram's 'Bad Request: ' prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class Spec:
    """The loaded api.json."""

    version: str
    methods: dict[str, Any]
    types: dict[str, Any]


@cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    """Read api.json once."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Spec(data["version"], data["methods"], data["types"])


def method_named(name: str) -> dict[str, Any]:
    """The spec of a method, looked up case-insensitively as Telegram does."""
    spec = load_spec()
    for key, method in spec.methods.items():
        if key.lower() == name.lower():
            return dict(method)
    raise ApiError(404, "Not Found")


def check_call(method: str, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Convert and check a call's parameters; returns the canonical method name and values."""
    spec = method_named(method)
    fields = {field["name"]: field for field in spec.get("fields", [])}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise bad_request(f"unknown parameter(s) {', '.join(unknown)} for {spec['name']}")
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in raw or raw[name] is None:
            if field["required"]:
                raise bad_request(f"parameter {name} is required for {spec['name']}")
            continue
        values[name] = _convert(raw[name], field["types"], f"{spec['name']}.{name}")
    return spec["name"], values


def check_object(type_name: str, value: Any, where: str = "") -> None:
    """Check that value is a valid instance of a spec type (used for what the fake returns)."""
    _check_value(value, [type_name], where or type_name)


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _convert(value: Any, types: list[str], where: str) -> Any:
    candidates = [name for name in types if _fits(_decoded(value), name)] or types
    errors = []
    for type_name in candidates:
        try:
            return _convert_one(value, type_name, where)
        except ApiError as error:
            errors.append(error.description.removeprefix("Bad Request: "))
    raise bad_request("; ".join(dict.fromkeys(errors)))


def _convert_one(value: Any, type_name: str, where: str) -> Any:
    if type_name == "Integer":
        if isinstance(value, bool):
            raise bad_request(f"{where} must be an integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"{where} must be an integer") from None
    if type_name == "Float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"{where} must be a number") from None
    if type_name == "Boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise bad_request(f"{where} must be a boolean")
    if type_name == "String":
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise bad_request(f"{where} must be a string")
    if type_name == "InputFile":
        if isinstance(value, (bytes, UploadedFile)):
            return value
        raise bad_request(f"{where} must be a file")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"{where}: can't parse JSON") from None
    _check_value(value, [type_name], where)
    return value


@dataclass(frozen=True)
class UploadedFile:
    """A file sent as multipart form data."""

    filename: str
    content: bytes


def _fits(value: Any, type_name: str) -> bool:
    """Whether value is at least shaped like type_name (its keys are all fields of it)."""
    definition = load_spec().types.get(type_name)
    if definition is None or not isinstance(value, dict) or definition.get("subtypes"):
        return True
    return set(value) <= {field["name"] for field in definition.get("fields", [])}


def _check_value(value: Any, types: list[str], where: str) -> None:
    # Of several possible types, report the errors of those the value is shaped like.
    candidates = [name for name in types if _fits(value, name)] or types
    errors = []
    for type_name in candidates:
        try:
            _check_type(value, type_name, where)
            return
        except ApiError as error:
            errors.append(error.description.removeprefix("Bad Request: "))
    raise bad_request(" / ".join(dict.fromkeys(errors)))


def _check_type(value: Any, type_name: str, where: str) -> None:
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            raise bad_request(f"{where} must be an array")
        for index, item in enumerate(value):
            _check_value(item, [type_name.removeprefix("Array of ")], f"{where}[{index}]")
        return
    if type_name in ("Integer", "Float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad_request(f"{where} must be a number")
        if type_name == "Integer" and not isinstance(value, int):
            raise bad_request(f"{where} must be an integer")
        return
    if type_name == "String":
        if not isinstance(value, str):
            raise bad_request(f"{where} must be a string")
        return
    if type_name == "Boolean":
        if not isinstance(value, bool):
            raise bad_request(f"{where} must be a boolean")
        return
    if type_name == "InputFile":
        return
    spec = load_spec()
    definition = spec.types.get(type_name)
    if definition is None:
        raise bad_request(f"{where}: unknown type {type_name}")
    if definition.get("subtypes"):
        _check_value(value, list(definition["subtypes"]), where)
        return
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be an object of type {type_name}")
    fields = {field["name"]: field for field in definition.get("fields", [])}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise bad_request(f"{where}: unknown field(s) {', '.join(unknown)} in {type_name}")
    for name, field in fields.items():
        if name not in value:
            if field["required"]:
                raise bad_request(f"{where}: field {name} is required in {type_name}")
            continue
        _check_value(value[name], field["types"], f"{where}.{name}")
        _check_literal(type_name, name, field, value[name], where)
    if type_name == "InlineKeyboardButton":
        _check_button(value, where)


_MUST_BE = re.compile(r'(?:must be|always) "?([a-z_]+)"?')


def _check_literal(
    type_name: str, name: str, field: dict[str, Any], value: Any, where: str
) -> None:
    # Subtypes are told apart by a fixed 'type' or 'status' field ("Scope type, must be default").
    if name not in ("type", "status", "source"):
        return
    description = field.get("description", "")
    match = _MUST_BE.search(description.replace("\u201c", '"').replace("\u201d", '"'))
    if match and value != match.group(1):
        raise bad_request(f"{where}.{name} must be {match.group(1)!r} in {type_name}")


def _check_button(button: dict[str, Any], where: str) -> None:
    kinds = [key for key in button if key not in BUTTON_KINDS_EXEMPT]
    if len(kinds) != 1:
        raise bad_request(f"{where}: a button needs exactly one action, not {kinds}")
    if not button["text"]:
        raise bad_request(f"{where}: button text is empty")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"^(https?|tg)://\S+$", url):
        raise bad_request("BUTTON_URL_INVALID")

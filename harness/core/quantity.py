"""Kubernetes resource quantities ("2Gi", "500M", "1.5e3") as exact numbers.

The kubernetes client has `parse_quantity`, but importing it loads the whole client (seconds on a
busy machine) into every `harness check`; this module covers the same grammar and the unit tests
hold it to the client's results.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_QUANTITY = re.compile(r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?P<suffix>[eE][+-]?[0-9]+|[A-Za-z]*)$")


def parse_quantity(value: object) -> Decimal:
    """The quantity in base units (bytes for storage); ValueError on anything Kubernetes refuses."""
    match = _QUANTITY.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a Kubernetes quantity")
    try:
        number = Decimal(match.group("number"))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"{value!r} is not a Kubernetes quantity") from error
    suffix = match.group("suffix")
    if suffix in _BINARY:
        return number * (1024 ** _BINARY[suffix])
    if suffix in _DECIMAL:
        return number * Decimal(10) ** _DECIMAL[suffix]
    if suffix[:1] in ("e", "E") and suffix[1:].lstrip("+-").isdigit():
        return number * Decimal(10) ** int(suffix[1:])
    raise ValueError(f"{value!r} is not a Kubernetes quantity (unknown suffix {suffix!r})")

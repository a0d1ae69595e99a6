"""Number attributes: Starlark ints in attributes are 32-bit, so addresses and
sizes are strings, checked here and passed to fwtool as written."""

_DIGITS = "0123456789abcdef"

def parse_c_number(label, attr, value):
    """Parses value as C's strtoul(value, NULL, 0) would: 0x hex, 0 octal, else decimal.

    Fails with a one-line error naming the target and attribute.

    Args:
      label: the target's label, for the error message.
      attr: the attribute's name, for the error message.
      value: the text to parse.

    Returns:
      The number (Starlark ints are arbitrary precision; only attr.int is 32-bit).
    """
    text = value.strip().lower()
    base = 10
    digits = text
    if text.startswith("0x"):
        base = 16
        digits = text[2:]
    elif len(text) > 1 and text.startswith("0"):
        base = 8
        digits = text[1:]
    n = 0
    for c in digits.elems():
        d = _DIGITS.find(c)
        if d < 0 or d >= base:
            digits = ""
            break
        n = n * base + d
    if not digits:
        fail("%s: attribute '%s': %r is not a number (decimal, 0x hex or 0 octal)" % (label, attr, value))
    return n

def check_hex_address(label, attr, value):
    """Checks value is hex digits with an optional 0x, as mkimage -a/-e take them.

    Args:
      label: the target's label, for the error message.
      attr: the attribute's name, for the error message.
      value: the text to check; empty passes (the attribute is unset).
    """
    if not value:
        return
    digits = value[2:] if value.lower().startswith("0x") else value
    if not digits or [c for c in digits.lower().elems() if c not in _DIGITS]:
        fail("%s: attribute '%s': %r is not a hex address" % (label, attr, value))

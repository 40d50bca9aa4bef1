"""Human IDs ("R12"): a kind's prefix and a number that is kept between years and never reused."""

from __future__ import annotations


def hid_prefix(hid: str) -> str:
    """The kind's prefix of a human ID: "R" of "R12"."""
    return hid.rstrip("0123456789")


def hid_key(hid: str) -> tuple[str, int]:
    """Natural order of human IDs: R2 before R10, grouped by prefix."""
    digits = "".join(ch for ch in hid if ch.isdigit())
    return (hid_prefix(hid), int(digits) if digits else 0)


__all__ = ["hid_prefix", "hid_key"]

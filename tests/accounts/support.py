"""Helpers for the sign-in tests: TOTP codes as an authenticator app computes them."""

import time

from django_otp.oath import TOTP


def totp_code(device, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"

"""Graph API errors -> `DeliveryError`: which to retry later, which are permanent."""

from __future__ import annotations

import logging

from pywa_async import errors as wa_errors

from bot.channels.base import DeliveryError

log = logging.getLogger(__name__)

RATE_LIMIT_CODES = {4: 60.0, 80007: 60.0, 130429: 5.0, 131056: 10.0, 131048: 60.0}
AUTH_CODES = {0, 10, 190, *range(200, 300)}
# 131053: Meta could not fetch or store the uploaded media this time.
TRANSIENT_CODES = {1, 2, 131000, 131016, 131053, 133004}
REENGAGEMENT = 131047  # the 24-hour window closed: only a template may go now


def delivery_error(exc: wa_errors.WhatsAppError) -> DeliveryError:
    code = exc.code
    reason = f"WhatsApp error {code}: {exc.message}"[:500]
    if code in RATE_LIMIT_CODES:
        return DeliveryError(
            reason, retry_after=_retry_after(exc, RATE_LIMIT_CODES[code]), code=str(code)
        )
    if code in AUTH_CODES:
        # Nothing will get through until an operator replaces the token: say so loudly.
        log.error(
            "WhatsApp refused our access token (error %s): replace whatsapp.access_token "
            "(SIKETAN__WHATSAPP__ACCESS_TOKEN) with a valid permanent token",
            code,
        )
        return DeliveryError(reason, permanent=True, code=str(code))
    if code in TRANSIENT_CODES or exc.is_transient or (exc.status_code or 0) >= 500:
        return DeliveryError(reason, code=str(code))
    return DeliveryError(reason, permanent=True, code=str(code))


def _retry_after(exc: wa_errors.WhatsAppError, default: float) -> float:
    response = exc.raw_response
    if response is not None:
        header = response.headers.get("Retry-After", "")
        try:
            return max(float(header), 0.0)
        except ValueError:
            pass
    return default

"""Webhook deliveries (stub until the webhooks branch lands: it records nothing)."""


def webhook_emit(*, conference, event: str, payload: dict) -> None:
    return None

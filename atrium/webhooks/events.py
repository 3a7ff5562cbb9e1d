"""The catalogue of webhook events (stub until the webhooks branch lands)."""

REGISTRATION_CONFIRMED = "registration.confirmed"
REGISTRATION_CANCELLED = "registration.cancelled"
CHECKIN_CREATED = "checkin.created"
MEETING_SCHEDULED = "meeting.scheduled"

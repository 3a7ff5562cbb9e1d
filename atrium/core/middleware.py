"""Middleware of the whole site."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig

from atrium.core.uploads import request_max_size


class RequestSizeMiddleware:
    """Refuse a request whose body is larger than ``ATRIUM_REQUEST_MAX_SIZE``, unread.

    Raises ``RequestDataTooBig``, which Django hands to ``handler400``
    (``atrium.core.views.bad_request``: a 413 page, or JSON under /api/).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_max_size():
            raise RequestDataTooBig("The request body is larger than ATRIUM_REQUEST_MAX_SIZE.")
        return self.get_response(request)

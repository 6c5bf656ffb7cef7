from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """Anonymous clients, per address, at settings.API_ANON_RATE (env
    API_ANON_RATE, e.g. "120/min"; None: unthrottled). A throttled client is
    answered 429 with Retry-After.

    The rate is read per request rather than at import, as DRF's own classes
    do, so that it can be changed in settings (and in tests)."""

    # Set on the request by the API's view wrapper (conditional.py), which
    # runs this throttle before the page cache: DRF's own check must then not
    # count the same request a second time.
    COUNTED = "_anonymous_throttle_counted"

    def get_rate(self):
        return settings.API_ANON_RATE

    @classmethod
    def mark_counted(cls, request) -> None:
        setattr(request, cls.COUNTED, True)

    def allow_request(self, request, view):
        if getattr(request, self.COUNTED, False):
            return True
        return super().allow_request(request, view)

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """Anonymous clients, per address, at settings.API_ANON_RATE (env
    API_ANON_RATE, e.g. "120/min"; None: unthrottled). A throttled client is
    answered 429 with Retry-After.

    The rate is read per request rather than at import, as DRF's own classes
    do, so that it can be changed in settings (and in tests)."""

    def get_rate(self):
        return settings.API_ANON_RATE

"""
The site's URLs plus the benchmark's ceiling: /bench/ceiling/, a trivial
view answering a tiny JSON body through the whole middleware stack, i.e. what
a response costs before any of our own work. bench/run.py compares every
endpoint's throughput with it. Mounted only with BENCH_CEILING=1 (settings).
"""

from django.http import JsonResponse
from django.urls import path

from .urls import urlpatterns as site_urlpatterns


def ceiling(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling"), *site_urlpatterns]

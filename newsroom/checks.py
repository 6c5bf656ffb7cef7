from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development fallback.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="newsroom.E001",
            )
        ]
    return []

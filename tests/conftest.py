import pytest


@pytest.fixture
def seed(db):
    """The five curated seed articles, as a newcomer gets them."""
    from django.core.management import call_command

    call_command("loaddata", "seed", verbosity=0)

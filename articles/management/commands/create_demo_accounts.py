from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_PASSWORD = "newsroom-demo"
DEMO_ACCOUNTS = [
    # username, group, superuser
    ("reporter", "Reporter", False),
    ("editor", "Editor", False),
    ("publisher", "Publisher", False),
    ("admin", None, True),
]


class Command(BaseCommand):
    help = "Create demo accounts (reporter, editor, publisher, admin) for development."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Create them even when DEBUG is off (never on a public site).",
        )

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo accounts have a published password: refusing with DEBUG off (use --force)."
            )
        User = get_user_model()
        for username, group_name, superuser in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@newsroom.invalid"}
            )
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                try:
                    user.groups.set([Group.objects.get(name=group_name)])
                except Group.DoesNotExist:
                    raise CommandError(f"Group {group_name} is missing: run migrate first.")
            verb = "Created" if created else "Reset"
            self.stdout.write(f"{verb} {username} ({group_name or 'superuser'})")
        self.stdout.write(self.style.SUCCESS(
            f"Log in at http://127.0.0.1:8000/admin/ as reporter, editor, publisher or admin "
            f"with the password “{DEMO_PASSWORD}” (development only)."
        ))

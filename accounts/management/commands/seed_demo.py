"""Create the demo users l1, t2, manager and admin. Development only.

Users whose role needs a second factor (VIGIL_SECOND_FACTOR_ROLES: manager and admin by
default) get an authenticator key, printed as an otpauth:// link and a key to type into
any TOTP app, and recovery codes, printed too (each signs in once without the app)."""

import base64
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts.second_factor import required_by_role, totp_device_issue
from soc.roles import Role

DEMO_USERS = [
    # username, role, is_staff, is_superuser
    ("l1", Role.L1, False, False),
    ("t2", Role.T2, False, False),
    ("manager", Role.MANAGER, True, False),
    ("admin", None, True, True),
]


class Command(BaseCommand):
    help = (
        "Create demo users l1, t2, manager and admin. Passwords come from "
        "VIGIL_DEMO_PASSWORD_<USER> (e.g. VIGIL_DEMO_PASSWORD_L1) or VIGIL_DEMO_PASSWORD, "
        "else random ones are printed. Refuses to run with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Leave users that already exist untouched (do not reset their passwords).",
        )

    def handle(self, *args, keep_existing: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with known passwords; it refuses to run with DEBUG off."
            )
        user_model = get_user_model()
        for username, role, is_staff, is_superuser in DEMO_USERS:
            user, created = user_model.objects.get_or_create(username=username)
            if not created and keep_existing:
                self.stdout.write(f"{username:8} exists, password unchanged")
                continue
            password = (
                os.environ.get(f"VIGIL_DEMO_PASSWORD_{username.upper()}")
                or os.environ.get("VIGIL_DEMO_PASSWORD")
                or secrets.token_urlsafe(12)
            )
            user.is_staff = is_staff
            user.is_superuser = is_superuser
            user.email = f"{username}@example.com"
            user.set_password(password)
            user.save()
            if role is not None:
                user.groups.set([Group.objects.get(name=role.value)])
            self.stdout.write(f"{username:8} password: {password}  ({role.value if role else 'superuser'})")
            if required_by_role(user):
                device, codes = totp_device_issue(user=user)
                key = base64.b32encode(device.bin_key).decode().rstrip("=")
                self.stdout.write(f"{'':8} second factor: key {key}  {device.config_url}")
                self.stdout.write(f"{'':8} recovery codes: {' '.join(codes)}")

"""Existing DRF tokens (one per user, no expiry) become named ApiTokens: the same key keeps
working (its digest is stored) for the default 90 days from this migration, then expires; the
old rows are removed so nothing reads an unexpiring key again. Deactivated people's users are
made inactive, as `org.services.update_person` now does."""

import datetime as dt
import hashlib

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("org", "ApiToken")
    Person = apps.get_model("org", "Person")
    User = apps.get_model("auth", "User")
    expires = timezone.now() + dt.timedelta(days=90)
    for old in Token.objects.all().iterator():
        ApiToken.objects.create(
            user_id=old.user_id,
            name="API token",
            digest=hashlib.sha256(old.key.encode()).hexdigest(),
            prefix=old.key[:8],
            expires_at=expires,
        )
    Token.objects.all().delete()
    inactive = Person.objects.filter(is_active=False).values("user_id")
    User.objects.filter(pk__in=inactive).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_api_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

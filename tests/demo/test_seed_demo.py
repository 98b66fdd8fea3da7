"""seed_demo: the demo company once, the synthetic organisation deterministically, quietly."""

import pytest
from django.core.management import call_command

from org.models import HRBPAssignment, Person, Unit

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_company_once(capsys):
    call_command("seed_demo")
    people, units = Person.objects.count(), Unit.objects.count()
    assert 55 <= people <= 70
    call_command("seed_demo")
    assert (Person.objects.count(), Unit.objects.count()) == (people, units)
    manager = Person.objects.get(user__username="manager")
    employee = Person.objects.get(user__username="employee")
    assert manager.headed_units.filter(name="Sales").exists()
    assert employee.manager == manager
    assert HRBPAssignment.objects.filter(person__user__username="hrbp").exists()
    assert Person.objects.get(user__username="admin").user.is_staff
    assert employee.user.check_password("keel-demo")
    assert "keel-demo" in capsys.readouterr().out


def test_seed_demo_synthetic_is_deterministic():
    call_command("seed_demo", employees=120, seed=7)
    names = list(
        Person.objects.order_by("user__username").values_list("display_name", "unit__name")
    )
    assert len(names) == 120
    heads = Unit.objects.filter(head__isnull=False).count()
    assert heads == Unit.objects.count()
    call_command("seed_demo", employees=120, seed=7)
    assert Person.objects.count() == 120
    # every non-root person has a manager
    assert Person.objects.filter(manager__isnull=True).count() == 1
    assert names == list(
        Person.objects.order_by("user__username").values_list("display_name", "unit__name")
    )


def test_synthetic_seed_sends_no_mail_to_its_made_up_people(settings, mailoutbox):
    """Resource requests notify their approvers while seeding; the synthetic addresses are made
    up, so that mail is discarded even where a real mail server is configured."""
    from notifications.models import Delivery

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", employees=120, seed=7)
    assert Delivery.objects.filter(channel="email").exists()  # notified as usual...
    assert mailoutbox == []  # ...but nothing left the building


def test_synthetic_seed_output_is_its_summary(
    capsys, caplog, django_capture_on_commit_callbacks, settings
):
    """The seeding prints one line a step and its total; the in-process tasks it runs on the
    way (notifications of resource requests) log no line each, and kombu no warning."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("tasks go to the configured broker: none run in-process to log")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", employees=120, seed=7)
    assert callbacks  # the tasks did run
    out = capsys.readouterr().out
    assert "Seeded 120 people" in out
    assert "org:" in out and "goals:" in out
    noise = [r for r in caplog.records if r.name.startswith(("celery.app.trace", "kombu"))]
    assert noise == []

"""An audit entry for every permission-log and security-action row logged before the trail
recorded actions, so the chain's completeness check holds from the start."""

from django.db import migrations


def forwards(apps, schema_editor):
    # The real models: the entry rules (kind, subject, scope) live in services.
    from apps.audit.services import entries_for_actions
    from apps.core.actions import action_stores

    for store in action_stores():
        if store.model_class()._default_manager.exists():
            entries_for_actions(store=store)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_entry_records_logged_actions"),
        ("access", "0002_window_message"),
        ("security", "0005_loginevent_lock_device_actions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

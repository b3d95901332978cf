"""The chain's head row, and an audit entry for every history row written before the trail."""

from django.db import migrations


def forwards(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    ChainHead.objects.get_or_create(pk=1)
    # The real models: the entry rules (actions, changed fields, scope) live in services.
    from apps.audit.services import audited_models, entries_for_bulk

    for model in audited_models():
        history_model = model.history.model
        # The live models may already have columns a later migration adds: on a new
        # database (nothing to backfill) they must not be read.
        if not history_model.objects.exists():
            continue
        entries_for_bulk(history_model, history_model.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("org", "0004_drop_redundant_tree_id_index"),
        ("access", "0002_window_message"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

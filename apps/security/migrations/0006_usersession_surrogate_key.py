"""UserSession gets a number of its own as primary key; the session key stays, unique.

The session key signs a browser in, and the admin prints primary keys (list checkboxes,
links, the action form). Changing a primary key in place is not something Django does on
both SQLite and PostgreSQL, so: a new table, the rows copied over (oldest first), the old
table dropped, the new one renamed into its place, then the index (index names are unique
across a PostgreSQL schema, so it can only be added once the old table is gone).
Reversible: the way back copies the rows into the old shape. The content type (and so the
permissions) stays "usersession" both ways.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = ("user_id", "ip", "user_agent", "created_at", "last_seen", "ended_at", "end_reason")


def _copy(source, target) -> None:
    rows = source.objects.order_by("created_at", "session_key").values("session_key", *FIELDS)
    batch = []
    for row in rows.iterator(chunk_size=2000):
        batch.append(target(**row))
        if len(batch) >= 2000:
            target.objects.bulk_create(batch)
            batch = []
    target.objects.bulk_create(batch)


def forwards(apps, schema_editor) -> None:
    _copy(apps.get_model("security", "UserSession"), apps.get_model("security", "UserSessionById"))


def backwards(apps, schema_editor) -> None:
    _copy(apps.get_model("security", "UserSessionById"), apps.get_model("security", "UserSession"))
    # Going back, Django renames the "usersession" content type along with the model (to
    # "usersessionbyid", about to be dropped); the permissions and roles hang on it, so it
    # gets its name back.
    content_type = apps.get_model("contenttypes", "ContentType")
    types = content_type.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label="security", model="usersession").exists():
        types.filter(app_label="security", model="usersessionbyid").update(model="usersession")
    content_type.objects.clear_cache()


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0005_loginevent_lock_device_actions'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='UserSessionById',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('session_key', models.CharField(max_length=40, unique=True, verbose_name='session key')),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('user_agent', models.CharField(blank=True, max_length=300, verbose_name='browser')),
                ('created_at', models.DateTimeField(verbose_name='signed in')),
                ('last_seen', models.DateTimeField(verbose_name='last seen')),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='ended')),
                ('end_reason', models.CharField(blank=True, max_length=200, verbose_name='why it ended')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
        ),
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name='UserSession'),
        migrations.RenameModel(old_name='UserSessionById', new_name='UserSession'),
        migrations.AlterField(
            model_name='usersession',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tracked_sessions', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AlterModelOptions(
            name='usersession',
            options={'ordering': ('-last_seen',), 'verbose_name': 'session', 'verbose_name_plural': 'sessions'},
        ),
        migrations.AddIndex(
            model_name='usersession',
            index=models.Index(fields=['user', 'ended_at'], name='sec_session_user_idx'),
        ),
    ]

"""The audit trail: one record per history row of every model, chained by hashes.

simple-history keeps each model's versions in its own table. ``AuditEntry`` adds one
row per version to a single indexed table, so the trail across all models is one
query, and carries the tamper evidence: once sealed, each entry has a place in the
chain (``seq``) and a hash over its own content, the version's content and the
previous entry's hash. Writers never wait on the chain: entries are written unsealed
with the change, and a frequent periodic task seals them in order.
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.actions import action_kind_of, action_kinds
from apps.core.texts import text_is_stored, text_shown


def action_choices() -> list[tuple[str, str | Promise]]:
    """What an entry records: a change (``AuditEntry.Action``) or an action an app logged.

    A callable, so the kinds each app declares (``apps.core.actions``) are read when
    asked, and a new kind needs no migration of this table.
    """
    kinds = [(kind.code, kind.label) for kind in action_kinds()]
    return [*AuditEntry.Action.choices, *kinds]


def with_actor_flag(entries: "QuerySet[AuditEntry]") -> "QuerySet[AuditEntry]":
    """Entries that know whether their actor is the system account (a join, no query)."""
    if "actor_is_system" in entries.query.annotations:
        return entries
    return entries.annotate(actor_is_system=F("actor__is_system"))


class AuditEntry(models.Model):
    """Who changed what, when, how and why: one version of one object, or one action.

    An action (a grant, an unlock, ...) is recorded by its store's row (``history_id``
    is that row's id); the chain hashes the row as it is now.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DEACTIVATED = "deactivated", _("deactivated")
        RESTORED = "restored", _("restored")
        MOVED = "moved", _("moved")
        REVERTED = "reverted", _("reverted")
        IMPORTED = "imported", _("imported")
        DELETED = "deleted", _("deleted")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"))
    # People who acted are never hard-deleted (the chain covers who acted).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,  # (actor, at, id) below serves it
    )
    actor_name = models.CharField(_("actor's username"), max_length=150)
    action = models.CharField(_("action"), max_length=40, choices=action_choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("model"),
        db_index=False,  # the (content_type, ...) indexes below serve it
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(pgettext_lazy("audit", "object"), max_length=200)
    history_id = models.BigIntegerField(_("version id"))
    # The departments the object belonged to at the time: the trail's scope.
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        db_index=False,  # (department, at) below serves it
    )
    department_other = models.ForeignKey(
        "org.Department",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("other department"),
        db_index=False,  # the partial (department_other, at) below serves it
    )
    # Space-delimited with a space at each end (" name code "), so one field is a
    # ``contains`` lookup on every database.
    changed_fields = models.TextField(_("changed fields"), blank=True)
    # Every changed field is one only some may see (salary): the entry is theirs alone.
    sensitive = models.BooleanField(_("sensitive"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    # Not columns: the admin's change page sets what its reader may see of the entry.
    visible_fields: list[str]
    changes: list[Any]

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ("-at", "-id")
        permissions = (("export_auditentry", _("Can export the audit trail")),)
        constraints = (
            models.UniqueConstraint(
                fields=("content_type", "history_id"), name="audit_entry_one_per_version"
            ),
        )
        indexes = (
            models.Index(fields=("at", "id"), name="audit_entry_time"),
            models.Index(fields=("actor", "at", "id"), name="audit_entry_actor"),
            models.Index(
                fields=("content_type", "object_id", "at", "id"), name="audit_entry_object"
            ),
            models.Index(fields=("content_type", "at", "id"), name="audit_entry_model"),
            models.Index(fields=("action", "at", "id"), name="audit_entry_action"),
            models.Index(fields=("department", "at"), name="audit_entry_department"),
            models.Index(
                fields=("department_other", "at"),
                condition=Q(department_other__isnull=False),
                name="audit_entry_department_other",
            ),
            # The sealer picks the unsealed entries in order from this small index.
            models.Index(
                fields=("id",), condition=Q(seq__isnull=True), name="audit_entry_unsealed"
            ),
        )

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    @property
    def object_shown(self) -> str:
        """The object as the reader sees it. A logged action about nobody is named by its
        store's target, which may be a stored text (``apps.core.texts``): shown in the
        reader's language. Anything else as it was recorded (a name is never translated).
        """
        if action_kind_of(self.action) is not None and text_is_stored(self.object_repr):
            return text_shown(self.object_repr)
        return self.object_repr

    @property
    def actor_label(self) -> str:
        """Who acted, as shown: the system account (by its flag) as "system" in the
        reader's language, anyone else by the username they had.

        Lists annotate ``actor_is_system`` (``with_actor_flag``); without it, one query.
        """
        flag = self.__dict__.get("actor_is_system")
        if flag is None:
            flag = type(self).objects.filter(pk=self.pk, actor__is_system=True).exists()
        return gettext("system") if flag else self.actor_name

    @property
    def fields(self) -> list[str]:
        return self.changed_fields.split()


class ChainHead(models.Model):
    """The end of the sealed chain (one row): where the next seal continues."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    # The newest entry time covered by the seal: the trail is sealed "up to" it.
    sealed_through = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class ChainArchive(models.Model):
    """A cut of the chain moved to a compressed file; the live chain continues from it."""

    created_at = models.DateTimeField(auto_now_add=True)
    path = models.CharField(_("file"), max_length=500)
    sha256 = models.CharField(_("file checksum"), max_length=64)
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    # The hash before the archive's first entry, and its last entry's hash: the live
    # chain's first entry must continue from ``last_hash``.
    start_hash = models.CharField(max_length=64, blank=True)
    last_hash = models.CharField(max_length=64)
    records = models.PositiveIntegerField()
    cutoff = models.DateTimeField(_("older than"))
    actor_name = models.CharField(_("archived by"), max_length=150)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ("-last_seq",)

    def __str__(self) -> str:
        return f"{self.first_seq}..{self.last_seq} ({self.path})"


class VerificationRun(models.Model):
    """One walk of the chain and what it found."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    intact = models.BooleanField(_("intact"))
    records = models.PositiveBigIntegerField(_("records checked"))
    unsealed = models.PositiveBigIntegerField(_("awaiting seal"), default=0)
    head_seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)
    # The first broken link, in words, with its model, record and time.
    problem = models.TextField(_("first broken link"), blank=True)
    broken_model = models.CharField(max_length=100, blank=True)
    broken_object = models.CharField(max_length=200, blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    triggered_by = models.CharField(_("run by"), max_length=150)

    class Meta:
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")
        ordering = ("-started_at",)
        get_latest_by = "started_at"
        permissions = (("verify_chain", _("Can verify the audit chain now")),)

    def __str__(self) -> str:
        state = _("intact") if self.intact else _("broken")
        return f"{self.started_at:%Y-%m-%d %H:%M} {state} ({self.records})"

    @property
    def problem_shown(self) -> str:
        """The finding in the reader's language (stored as msgid and values; older runs
        hold English text, shown as it is)."""
        return text_shown(self.problem)


class TrailExport(models.Model):
    """Every export of the trail: who, when, which filters, how many rows."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    truncated = models.BooleanField(_("truncated"), default=False)

    class Meta:
        verbose_name = _("trail export")
        verbose_name_plural = _("trail exports")
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.format} ({self.rows})"

"""The hash chain over the audit entries: sealing, verification and archiving.

Each sealed entry gets the next position (``seq``) and an HMAC-SHA256, keyed with
``settings.AUDIT_CHAIN_KEY``, over the previous entry's hash, its own content and the
content of the version (the history row) it records. One module per job:

- ``canonical``: what a link hashes (the entry's columns, its version) and how;
- ``sealing``: committed entries get their places in order;
- ``verification`` (with ``completeness``): walk the chain, name the first broken link;
- ``archives``: move a verified prefix to a file that verifies on its own.

The chain depends on the audit models only: services call it, never the reverse.
"""

from apps.audit.chain.archives import (
    ARCHIVE_FORMAT,
    ChainBroken,
    archive,
    archive_range,
    verify_archive,
)
from apps.audit.chain.canonical import (
    ENTRY_COLUMNS,
    action_store_models,
    audited_models,
    canonical_json,
    entry_content,
    entry_versions,
    link_hash,
    model_labels,
    trail_models,
)
from apps.audit.chain.sealing import SEAL_BATCH, SealState, seal, seal_state
from apps.audit.chain.verification import Verification, verify

__all__ = [
    "ARCHIVE_FORMAT",
    "ENTRY_COLUMNS",
    "SEAL_BATCH",
    "ChainBroken",
    "SealState",
    "Verification",
    "archive",
    "action_store_models",
    "archive_range",
    "audited_models",
    "canonical_json",
    "entry_content",
    "entry_versions",
    "link_hash",
    "model_labels",
    "seal",
    "seal_state",
    "verify",
    "trail_models",
    "verify_archive",
]

"""How large a request body each kind of route accepts, in one place (docs/security.md
lists them). Bodies beyond `ANONYMOUS_BODY_BYTES` reach a route only from a signed-in caller
(`riderperf.api.body_gate`); every other route, API or page, takes at most `BODY_LIMIT`."""

from __future__ import annotations

MIB = 1 << 20
ANONYMOUS_BODY_BYTES = 64 << 10
BODY_LIMIT = MIB  # JSON bodies and plain forms
PHOTO_MAX_BYTES = 10 * MIB
PHOTO_MAX_FILES = 20
INSPECTION_BODY_LIMIT = PHOTO_MAX_FILES * PHOTO_MAX_BYTES + MIB  # photos and the form
APPEAL_BODY_LIMIT = 256 * MIB  # room for the policy's evidence limits and the framing
POLICY_MAX_BYTES = 5 * MIB
POLICY_BODY_LIMIT = POLICY_MAX_BYTES + (64 << 10)
ARCHIVE_MAX_BYTES = 2 << 30  # a dataset's zip
IMPORT_BODY_LIMIT = ARCHIVE_MAX_BYTES + MIB

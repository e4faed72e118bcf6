"""How much one input may be: the size limits of the TRIAL_AUDIT_* settings, read once at import.

Every module that reads input content looks them up here when it runs (`sizes.MAX_FILE_BYTES`), so
there is one value of each (tests set it in this module), and one wording of each refusal.
"""

from __future__ import annotations

from auditor import limits
from auditor.errors import InputError


def setting(name: str) -> int:
    """A whole-number TRIAL_AUDIT_* setting; its default when the value is bad."""
    try:
        return limits.env_int(name)
    except InputError:  # the command line refuses it before any work (limits.check_environment)
        return limits.INTEGERS[name][0]


# A registry export of 100,000 studies is ~2 GB as one JSON file; a single file above this is
# far more likely a mistake (or a decompression bomb) than a record set. The archive limits hold
# for everything unpacked from one input, across nesting levels (auditor/limits.py has the variables).
MAX_FILE_BYTES = setting("TRIAL_AUDIT_MAX_FILE_BYTES")
MAX_ARCHIVE_BYTES = setting("TRIAL_AUDIT_MAX_ARCHIVE_BYTES")
MAX_ARCHIVE_MEMBERS = setting("TRIAL_AUDIT_MAX_ARCHIVE_MEMBERS")
MAX_ARCHIVE_DEPTH = setting("TRIAL_AUDIT_MAX_ARCHIVE_DEPTH")
# Content above this stays on disk (a Spool) and is read piece by piece.
STREAM_BYTES = setting("TRIAL_AUDIT_STREAM_BYTES")


def file_too_big(origin: str) -> InputError:
    return InputError(origin, f"larger than {MAX_FILE_BYTES} bytes (set TRIAL_AUDIT_MAX_FILE_BYTES to allow it)")


def archive_too_big(origin: str) -> InputError:
    return InputError(origin, f"archive expands to more than {MAX_ARCHIVE_BYTES} bytes in all "
                              "(set TRIAL_AUDIT_MAX_ARCHIVE_BYTES to allow it)")


def too_big(origin: str, limit: int) -> InputError:
    """The refusal of content over `limit`: a limit below MAX_FILE_BYTES is what an archive's
    budget has left."""
    return archive_too_big(origin) if limit < MAX_FILE_BYTES else file_too_big(origin)

"""Who may see what: the single place that decides how a petition's signers are shown.

Denouncers' identities are confidential by law (Luật Tố cáo 2018, Điều 9 and 56), so every list,
search result and printout that names the signers of a petition must go through here.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENTIAL_SIGNER = "Người tố cáo (bảo mật)"
NO_SIGNER = "(không rõ người đứng đơn)"
ANONYMOUS_SIGNER = "(đơn nặc danh)"


CONFIDENTIAL_ATTACHMENT = "Tệp đính kèm (bảo mật)"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at a petition.

    Only those competent to handle a denunciation may see the denouncer (Luật Tố cáo Điều 56;
    domain notes §5: permission VIEW_DENOUNCER). Logins and roles come in a later issue; until
    then the desk runs as ``desk_viewer()``, who does not have that permission, so a denouncer's
    identity is shown only while it is being typed in at intake.
    """

    user: str | None = None
    may_see_denouncers: bool = False


ANYONE = Viewer()


def desk_viewer() -> Viewer:
    """The viewer of this program session (the operating-system login until roles exist)."""
    try:
        user: str | None = getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers, services)
        user = None
    return Viewer(user=user)


def may_see_identity(confidential: bool, viewer: Viewer | None = None) -> bool:
    """Whether ``viewer`` may see who signed a petition: its names, ids, addresses, and the scans
    or photos attached to it (a denouncer's handwriting is confidential too, Điều 56 k2)."""
    return not confidential or (viewer is not None and viewer.may_see_denouncers)


def signer_display(confidential: bool, names: Sequence[str], *, anonymous: bool = False,
                   viewer: Viewer | None = None) -> str:
    """The text shown for a petition's signers: never the names of a confidential petition
    (unless ``viewer`` may see them)."""
    if not may_see_identity(confidential, viewer):
        return CONFIDENTIAL_SIGNER
    shown = [name for name in names if name]
    if shown:
        return ", ".join(shown)
    return ANONYMOUS_SIGNER if anonymous else NO_SIGNER


def signers_searchable(confidential: bool, viewer: Viewer | None = None) -> bool:
    """Whether a search (or the duplicate suggestion at intake) may match a petition by its signers.

    Filtering by name would reveal who signed a confidential petition just as showing the name would.
    """
    return may_see_identity(confidential, viewer)


# Case kinds whose visitors are denouncers: their visits must not be found by the visitor's name.
CONFIDENTIAL_CASE_KINDS = ("denunciation",)


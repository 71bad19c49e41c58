"""Who may see what: the single place that decides how a petition's signers are shown.

Denouncers' identities are confidential by law (Luật Tố cáo 2018, Điều 9 and 56), so every list,
search result and printout that names the signers of a petition must go through here.
"""

from __future__ import annotations

from collections.abc import Sequence

CONFIDENTIAL_SIGNER = "Người tố cáo (bảo mật)"
NO_SIGNER = "(không rõ người đứng đơn)"
ANONYMOUS_SIGNER = "(đơn nặc danh)"


def signer_display(confidential: bool, names: Sequence[str], *, anonymous: bool = False) -> str:
    """The text shown for a petition's signers: never the names of a confidential petition."""
    if confidential:
        return CONFIDENTIAL_SIGNER
    shown = [name for name in names if name]
    if shown:
        return ", ".join(shown)
    return ANONYMOUS_SIGNER if anonymous else NO_SIGNER


def signers_searchable(confidential: bool) -> bool:
    """Whether a search may match a petition by its signers' names.

    Filtering by name would reveal who signed a confidential petition just as showing the name would.
    """
    return not confidential


# Case kinds whose visitors are denouncers: their visits must not be found by the visitor's name.
CONFIDENTIAL_CASE_KINDS = ("denunciation",)


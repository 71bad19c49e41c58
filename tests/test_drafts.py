"""services.drafts: atomic JSON drafts that survive a crash; bad files are set aside, never fatal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reception_desk.services.drafts import CORRUPT_SUFFIX, DraftStore, default_folder


def test_save_load_discard(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    assert store.load_all() == []
    store.save("visit", "new", {"content": "Đề nghị giải quyết", "persons": 1}, title="Lượt tiếp mới")
    store.save("petition", "new", {"summary": "x"})
    drafts = store.load_all()
    assert {(d.kind, d.key) for d in drafts} == {("visit", "new"), ("petition", "new")}
    visit = store.load("visit", "new")
    assert visit is not None
    assert visit.data == {"content": "Đề nghị giải quyết", "persons": 1}
    assert visit.title == "Lượt tiếp mới"
    assert [d.kind for d in store.load_all("visit")] == ["visit"]
    store.save("visit", "new", {"content": "sửa lại"})  # replaces the older one
    assert store.load("visit", "new").data == {"content": "sửa lại"}  # type: ignore[union-attr]
    store.discard("visit", "new")
    store.discard("visit", "new")  # twice is fine
    assert store.load("visit", "new") is None
    assert [p.name for p in (tmp_path / "drafts").iterdir() if p.name.startswith(".draft-")] == []


def test_keys_are_made_safe_file_names(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    path = store.save("visit", "../../etc/passwd", {"a": 1})
    assert path.parent == tmp_path
    assert store.load("visit", "../../etc/passwd").data == {"a": 1}  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        store.save("visit", "///", {})


def test_corrupt_files_are_set_aside(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("visit", "good", {"ok": True})
    (tmp_path / "visit--cut.json").write_text('{"format": 1, "kind": "visit", "da', encoding="utf-8")
    (tmp_path / "visit--list.json").write_text("[1, 2]", encoding="utf-8")
    drafts = store.load_all()
    assert [d.key for d in drafts] == ["good"]
    aside = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(CORRUPT_SUFFIX))
    assert len(aside) == 2 and aside[0].startswith("visit--cut.json.")
    assert store.load_all() == drafts  # nothing left to trip over


def test_unserialisable_data_leaves_the_old_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save("visit", "new", {"content": "giữ nguyên"})
    with pytest.raises(TypeError):
        store.save("visit", "new", {"bad": object()})
    assert store.load("visit", "new").data == {"content": "giữ nguyên"}  # type: ignore[union-attr]


def test_a_failed_write_keeps_the_previous_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DraftStore(tmp_path)
    store.save("visit", "new", {"n": 1})

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("đĩa đầy")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save("visit", "new", {"n": 2})
    monkeypatch.undo()
    assert store.load("visit", "new").data == {"n": 1}  # type: ignore[union-attr]
    assert [p.name for p in tmp_path.iterdir()] == ["visit--new.json"]


def test_default_folder_is_in_user_data() -> None:
    assert default_folder().name == "drafts"
    assert DraftStore().folder == default_folder()

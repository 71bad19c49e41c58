"""Where things live: the user data folder, the bundled db/ and resources/ folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from reception_desk import APP_NAME


def project_root() -> Path:
    """The folder holding db/ and resources/ (the source tree, or the frozen bundle)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def db_dir() -> Path:
    return Path(os.environ.get("RECEPTION_DESK_DB_DIR") or project_root() / "db")


def reference_dir() -> Path:
    return db_dir() / "reference"


def resources_dir() -> Path:
    return project_root() / "resources"


def user_data_dir() -> Path:
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return user_data_dir() / "reception-desk.sqlite"

"""Reception Desk (Bàn tiếp công dân): an offline-first registry for citizen-reception offices."""

__version__ = "0.1.0"
APP_NAME = "reception-desk"
APP_TITLE = "Bàn tiếp công dân"

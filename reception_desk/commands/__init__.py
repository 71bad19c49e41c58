"""CLI commands; every module here has ``register(subparsers)`` and is picked up by cli.py."""

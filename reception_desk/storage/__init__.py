"""Storage: tables, engine set-up, migrations glue and set-based queries."""

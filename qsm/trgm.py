"""Retired: trigram indexes for substring search, created only where the pg_trgm extension exists.

Kept for the migrations that created the two trigram indexes (org 0001, presales 0001) and the
ones that drop them (org 0012, presales 0008). Search is ``qsm.search`` now: its grams index needs
no extension (the embedded PostgreSQL has no pg_trgm) and serves two-character Chinese words,
which trigrams cannot. Nothing new should use this module."""
from __future__ import annotations


def _has_trgm(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    return cursor.fetchone() is not None


def create_trigram_index(table: str, column: str, name: str):
    def forwards(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            if not _has_trgm(cursor):
                return
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    return forwards


def drop_index(name: str):
    def backwards(apps, schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return backwards

#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an EMPTY database. Usage:
#   BACKUP_AGE_IDENTITY=/secure/key.txt scripts/restore.sh /backups/teddy-….dump.age postgres://…/fresh
# Checks the backup's sha256 first; decrypts with the age identity (private key) straight into
# pg_restore, so no plaintext dump touches the disk. The gateway's migrations then bring the
# schema up to date on its next start. See docs/operations.md for the restore drill.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: restore.sh BACKUP_FILE TARGET_DATABASE_URL" >&2; exit 2; }
backup=$1
target=$2
: "${BACKUP_AGE_IDENTITY:?BACKUP_AGE_IDENTITY (the age private key file) is required}"
[ -f "$backup" ] || { echo "no such backup: $backup" >&2; exit 2; }

if [ -f "$backup.sha256" ]; then
	(cd "$(dirname "$backup")" && sha256sum --check --quiet "$(basename "$backup").sha256") || { echo "checksum mismatch: $backup" >&2; exit 1; }
else
	echo "warning: no $backup.sha256 beside the backup; restoring unchecked" >&2
fi

# ! Refuses a database that already has tables: a restore must never merge into live data.
tables=$(psql "$target" -tAc "select count(*) from information_schema.tables where table_schema = 'public'")
[ "$tables" = 0 ] || { echo "target database is not empty ($tables tables); restore into a fresh one" >&2; exit 1; }

age --decrypt --identity "$BACKUP_AGE_IDENTITY" "$backup" | pg_restore --no-owner --no-privileges --exit-on-error --dbname "$target"
echo "restored $(basename "$backup")"

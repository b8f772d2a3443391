#!/usr/bin/env bash
# Encrypted PostgreSQL backup with retention. Usage:
#   DATABASE_URL=postgres://… BACKUP_DIR=/backups BACKUP_AGE_RECIPIENT=age1… scripts/backup.sh
# - pg_dump (custom format) piped straight into `age` for the recipient's public key: no plaintext
#   dump ever touches the disk, and the backup host cannot read what it stores (the private key
#   lives offline, with whoever may restore).
# - Backups older than BACKUP_RETENTION_DAYS (default 30, the data retention of docs/privacy.md)
#   are deleted, so data deleted in the gateway is gone from every backup within that window.
# - Children's names and words are already AES-256-GCM ciphertext inside the dump; ENCRYPTION_KEY
#   is never in a backup and must be kept (and rotated) separately.
# Prints the path of the new backup. Exit codes: 2 usage, 1 failure.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is required}"
: "${BACKUP_DIR:?BACKUP_DIR is required}"
: "${BACKUP_AGE_RECIPIENT:?BACKUP_AGE_RECIPIENT (an age public key, age1…) is required}"
retention_days=${BACKUP_RETENTION_DAYS:-30}
[[ $retention_days =~ ^[0-9]+$ ]] || { echo "BACKUP_RETENTION_DAYS must be a whole number of days" >&2; exit 2; }
command -v age >/dev/null || { echo "age is not installed (Debian: apt-get install age)" >&2; exit 1; }

umask 077
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$BACKUP_DIR/teddy-$stamp.dump.age"
tmp="$out.partial"
trap 'rm -f "$tmp"' EXIT

# pipefail: a failed pg_dump fails the backup even though age succeeded on what it got.
pg_dump --format=custom --no-owner --no-privileges "$DATABASE_URL" | age --encrypt --recipient "$BACKUP_AGE_RECIPIENT" --output "$tmp"
mv "$tmp" "$out"
trap - EXIT
(cd "$BACKUP_DIR" && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")

# Retention: whole days, by the timestamp in the name (file times change when backups are copied).
cutoff=$(date -u -d "-$retention_days days" +%Y%m%dT%H%M%SZ)
for f in "$BACKUP_DIR"/teddy-*.dump.age; do
	name=$(basename "$f")
	taken=${name#teddy-}
	taken=${taken%.dump.age}
	if [[ $taken < $cutoff ]]; then rm -f "$f" "$f.sha256"; echo "expired $name" >&2; fi
done
echo "$out"

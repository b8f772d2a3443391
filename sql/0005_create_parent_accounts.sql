-- Parent and operator accounts, their sessions, one-time mail tokens and the audit log.
--
-- An account's email is personal data: stored only as AES-256-GCM ciphertext, found by a keyed hash
-- of its normalised form (a blind index; the key is derived from AUTH_SECRET, so an index read from
-- a dump cannot be reversed by hashing guesses). Passwords are argon2id hashes.

create table parents (
	id uuid primary key,
	-- a parent belongs to one household; an operator to none
	family_id uuid references families (id) on delete cascade,
	role text not null check (role in ('parent', 'operator')),
	email_index bytea not null unique,
	email_ciphertext bytea not null,
	email_nonce bytea not null check (octet_length(email_nonce) = 12),
	email_key_id text not null,
	password_hash text not null,
	email_verified_at timestamptz,
	created_at timestamptz not null default now(),
	check ((role = 'parent') = (family_id is not null))
);

create index parents_family_idx on parents (family_id);

-- One login on one browser or phone. Access JWTs name their session, so revoking it (logout,
-- password reset, refresh-token reuse) ends them at once, not only at their expiry.
create table auth_sessions (
	id uuid primary key,
	parent_id uuid not null references parents (id) on delete cascade,
	created_at timestamptz not null default now(),
	-- no refresh after this; the session then needs a new login
	expires_at timestamptz not null,
	revoked_at timestamptz,
	revoke_reason text
);

create index auth_sessions_parent_idx on auth_sessions (parent_id);

-- Opaque refresh tokens, stored as SHA-256 (they are 32 random bytes: nothing to brute-force).
-- Each is used once; presenting a used one again means it was stolen, and ends its whole session.
create table refresh_tokens (
	token_hash bytea primary key,
	session_id uuid not null references auth_sessions (id) on delete cascade,
	created_at timestamptz not null default now(),
	used_at timestamptz
);

create index refresh_tokens_session_idx on refresh_tokens (session_id);

-- Links mailed to a parent: verify the address, reset the password, confirm a new address,
-- confirm consent. Stored as SHA-256, single use, short-lived. `payload` holds what the link
-- confirms (the new address, the consent id), encrypted because an address is personal data.
create table account_tokens (
	token_hash bytea primary key,
	parent_id uuid not null references parents (id) on delete cascade,
	purpose text not null check (purpose in ('verify_email', 'reset_password', 'change_email', 'confirm_consent')),
	payload_ciphertext bytea,
	payload_nonce bytea check (octet_length(payload_nonce) = 12),
	payload_key_id text,
	created_at timestamptz not null default now(),
	expires_at timestamptz not null,
	used_at timestamptz
);

create index account_tokens_parent_idx on account_tokens (parent_id, purpose);

-- Every access by a parent or an operator to a child's data: who, what, when. It outlives the
-- data it records, so it names families, children and parents only by keyed pseudonyms (HMAC with
-- a key derived from AUTH_SECRET): given an id one can find its entries, but a deleted child's id
-- is nowhere in the table. Operators are staff and are named by their account id.
create table audit_log (
	id bigint generated always as identity primary key,
	at timestamptz not null default now(),
	actor_role text not null check (actor_role in ('parent', 'operator', 'system')),
	actor_ref text not null,
	action text not null,
	family_ref text,
	child_ref text,
	-- what else was touched (a conversation, an alert, a device), pseudonymised the same way
	target_ref text,
	-- operators must say why they opened a child's data
	reason text
);

create index audit_log_family_idx on audit_log (family_ref, at desc);
create index audit_log_child_idx on audit_log (child_ref, at desc);
create index audit_log_at_idx on audit_log (at);

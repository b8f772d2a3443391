-- Child profiles made by parents, per-family settings the parent edits, and verifiable parental
-- consent (COPPA) with the separate consent to send a child's words to a third-party AI service.

-- The profile a parent fills in; the name stays encrypted (sql/0001). `age` stays the value the toy
-- uses: given a birth year it is derived from it (and kept current by the maintenance job).
alter table children add column birth_year smallint check (birth_year between 1900 and 2200);
alter table children add column language text check (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$');
alter table children add column voice text check (char_length(voice) between 1 and 64);
alter table children add column timezone text check (char_length(timezone) between 1 and 64);
alter table children add column country text check (country ~ '^[A-Z]{2}$');

-- Device tools (MCP on the toy: volume, lights, ...) a family allows; null = the gateway's default.
alter table families add column allowed_tools text[] check (cardinality(allowed_tools) <= 32);
-- Days transcripts and alert excerpts are kept; null = the gateway's default (docs/privacy.md).
alter table families add column retention_days integer check (retention_days between 1 and 3650);

-- One row per request for consent: what, by which method, under which policy text, who asked and
-- from where. It counts once confirmed (email_plus: the link mailed to the verified address) and
-- until withdrawn. `kind`: 'coppa' lets the toy talk with the child at all; 'third_party_ai' lets
-- the child's words go to a remote AI provider. There is no consent for training: the policy text
-- says the child's data is never used to train models.
create table consents (
	id uuid primary key,
	family_id uuid not null references families (id) on delete cascade,
	child_id uuid not null references children (id) on delete cascade,
	kind text not null check (kind in ('coppa', 'third_party_ai')),
	method text not null check (method in ('email_plus', 'card_check', 'signed_form')),
	policy_version text not null,
	parent_id uuid references parents (id) on delete set null,
	-- the verified address the confirmation went to: the parent's identity for email_plus
	parent_email_ciphertext bytea not null,
	parent_email_nonce bytea not null check (octet_length(parent_email_nonce) = 12),
	parent_email_key_id text not null,
	client_ip text,
	requested_at timestamptz not null default now(),
	confirmed_at timestamptz,
	withdrawn_at timestamptz
);

create index consents_child_idx on consents (child_id, kind);
create index consents_family_idx on consents (family_id);

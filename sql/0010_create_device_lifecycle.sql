-- Device lifecycle (issue 15): operator overrides of the device config, the signed firmware
-- channel with its staged rollouts, and the little per-toy state rollback detection needs.

-- Operator-set config for every toy of a board model, or of a family; merged over the defaults
-- (model first, then family) by GET /api/v1/esp32/config.
create table config_overrides (
	scope text not null check (scope in ('model', 'family')),
	-- a board model name, or a family id (as text)
	key text not null check (char_length(key) between 1 and 64),
	settings jsonb not null,
	-- the operator (an account id; no foreign key: operator records are not a household's data,
	-- and the audit log says who did what)
	updated_by uuid,
	updated_at timestamptz not null default now(),
	primary key (scope, key)
);

-- One signed image per board model and version. The bytes live on disk (FIRMWARE_DIR); the
-- signature (Ed25519 over the SHA-256 digest) was made outside the gateway and checked on upload.
create table firmware_releases (
	id uuid primary key default gen_random_uuid(),
	model text not null check (model ~ '^[A-Za-z0-9._-]{1,64}$'),
	version text not null check (version ~ '^v?[0-9]+(\.[0-9]+){0,3}([-+][A-Za-z0-9.-]{1,32})?$'),
	size bigint not null check (size > 0),
	sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
	signature text not null,
	-- which configured public key verified it (its first 16 hex digits of SHA-256)
	key_id text not null,
	-- share of the model's toys offered this release, 0-100 in hundredths
	rollout_percent numeric(5, 2) not null default 0 check (rollout_percent between 0 and 100),
	paused boolean not null default false,
	paused_reason text,
	-- toys install at once instead of waiting for a quiet moment
	force boolean not null default false,
	-- toys running older than this are offered the release whatever the percentage, forced
	min_version text,
	-- the operator who published it (see updated_by above)
	created_by uuid,
	created_at timestamptz not null default now(),
	unique (model, version)
);

-- What each toy was last offered and last said it runs: enough to tell a rollback (it took the
-- new version, then came back on an older one) or a toy gone quiet after an update.
create table firmware_devices (
	device_id text primary key references devices (device_id) on delete cascade,
	model text not null,
	release_id uuid references firmware_releases (id) on delete cascade,
	offered_version text,
	offered_at timestamptz,
	reported_version text,
	took_at timestamptz,
	rolled_back_at timestamptz,
	last_seen_at timestamptz not null default now()
);

create index firmware_devices_release_idx on firmware_devices (release_id);

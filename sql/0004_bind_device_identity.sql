-- Who a toy is and which children it may reach (docs/security.md).

-- A child belongs to a family (made by a parent) or, only for an unpaired seed-json toy while
-- pairing is optional, to that one toy. The seed's child_id is unique per owner, not globally:
-- two households may both name a child "kid-1", and a toy naming one must never reach the other.
-- Rows with neither owner (seed children made before this migration) are reachable by no toy.
alter table children add column device_id text references devices (device_id) on delete cascade;
alter table children drop constraint children_external_id_key;
alter table children add constraint children_one_owner check (family_id is null or device_id is null);
create unique index children_family_external_idx on children (family_id, external_id) where family_id is not null;
create unique index children_device_external_idx on children (device_id, external_id) where device_id is not null;

-- What a stock xiaozhi toy can prove at check-in. It sends no credential, but a Client-Id UUID it
-- keeps in flash: the first check-in binds it (trust on first use), later ones must present it.
create table device_bindings (
	device_id text primary key references devices (device_id) on delete cascade,
	-- HMAC-SHA256 of the Client-Id under a key derived from the fleet secret: a database dump
	-- alone does not give out the value a toy must present
	client_id_hash bytea check (octet_length(client_id_hash) = 32),
	bound_at timestamptz,
	-- the toy once proved the device key of PROTOCOL.md §1 (v2 token at check-in, or the
	-- activation HMAC): from then on that key is known to be its key, and a wrong HMAC is refused
	device_key_proven_at timestamptz,
	-- a vendor eFuse HMAC key an operator provisioned for this toy (scripts/device.ts), sealed
	-- like names (store/crypto.ts)
	hmac_key_ciphertext bytea,
	hmac_key_nonce bytea check (octet_length(hmac_key_nonce) = 12),
	hmac_key_key_id text,
	updated_at timestamptz not null default now(),
	check ((hmac_key_ciphertext is null) = (hmac_key_nonce is null))
);

-- Pairing codes are kept as a keyed hash (six digits are a million guesses from a plain hash)
-- and a random seed from which only the gateway, holding the key, can derive the digits again to
-- repeat them to the same toy. Codes live ten minutes; those in flight are dropped here and their
-- toys get a new one at their next check-in.
delete from pairing_codes;
drop index pairing_codes_code_idx;
alter table pairing_codes drop column code;
alter table pairing_codes add column code_hash bytea not null check (octet_length(code_hash) = 32);
alter table pairing_codes add column code_seed bytea not null check (octet_length(code_seed) = 16);
-- the toy said the code aloud and called /xiaozhi/ota/activate for it (with pairing optional the
-- check-in then stops asking it to, so stock firmware goes on to its WebSocket)
alter table pairing_codes add column acknowledged_at timestamptz;
create unique index pairing_codes_code_hash_idx on pairing_codes (code_hash);

-- A check-in as a bound toy that could not prove it is that toy raises an alert for its parent.
alter table parent_alerts drop constraint parent_alerts_kind_check;
alter table parent_alerts add constraint parent_alerts_kind_check
	check (kind in ('self_harm', 'abuse', 'danger', 'device_security'));
alter table parent_alerts drop constraint parent_alerts_source_check;
alter table parent_alerts add constraint parent_alerts_source_check
	check (source in ('keyword', 'moderation', 'device'));
create index parent_alerts_device_idx on parent_alerts (device_id, created_at desc);

-- Pairing a toy with a child, and revocable device JWTs.
--
-- A pairing code is six digits the toy speaks aloud (xiaozhi OTA activation or POST /api/v1/pair/start);
-- a parent types it in to bind the toy to a child. One live code per toy.

create table pairing_codes (
	device_id text primary key references devices (device_id) on delete cascade,
	code text not null check (code ~ '^[0-9]{6}$'),
	-- xiaozhi activation: the toy answers HMAC(device_key, challenge) to prove it holds its key
	challenge text not null,
	expires_at timestamptz not null,
	-- wrong guesses against this toy's code; at the limit the code is burned (see store/pairing.ts)
	attempts int not null default 0 check (attempts >= 0),
	created_at timestamptz not null default now()
);

-- a spoken code must name exactly one toy; expired rows keep their code until it is drawn again
create unique index pairing_codes_code_idx on pairing_codes (code);

-- Device JWTs carry the generation current when they were issued; bumping it revokes them all.
alter table devices add column token_generation integer not null default 0;

-- Unpairing, pairing with another child, and revocation end every JWT issued before, whichever code
-- path (or ON DELETE SET NULL of a deleted child) made the change. Pairing an unpaired toy does not:
-- the toy keeps talking with the token it was given while it waited for its parent.
create function devices_bump_token_generation() returns trigger
language plpgsql as $$
begin
	if (old.paired_child_id is not null and new.paired_child_id is distinct from old.paired_child_id)
		or (old.revoked_at is null and new.revoked_at is not null) then
		new.token_generation := old.token_generation + 1;
	end if;
	return new;
end
$$;

create trigger devices_bump_token_generation
	before update of paired_child_id, revoked_at on devices
	for each row execute function devices_bump_token_generation();

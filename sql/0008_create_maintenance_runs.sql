-- The last run of each background job (retention purge, key-rotation re-encrypt), shared by every
-- replica so /health/ready reports the fleet's last run, not only this process's.

create table maintenance_runs (
	job text primary key,
	started_at timestamptz not null,
	finished_at timestamptz,
	ok boolean,
	error text,
	-- what the run did (rows deleted per table, rows re-encrypted)
	result jsonb
);

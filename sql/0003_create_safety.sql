-- Child safety: families (parents' settings), parent alerts, daily usage metering, the learning
-- programme (seasons, episodes, each child's progress) and the per-child memory summary.
-- Parent emails, alert excerpts and summaries are AES-256-GCM ciphertext like names and transcripts.

-- The smallest family a parent setting can hang on until accounts land. Null settings mean "use the
-- gateway's configured default", so an operator can change defaults without touching every row.
create table families (
	id uuid primary key default gen_random_uuid(),
	-- IANA zone for quiet hours and for where one day ends (usage is counted per local day)
	timezone text,
	-- estimated model tokens per local day for the whole family; over it the toy says goodnight
	daily_token_budget integer check (daily_token_budget >= 0),
	-- minutes of talk (child speech + toy speech) per local day; 0 = no limit
	daily_limit_minutes integer check (daily_limit_minutes >= 0),
	-- minutes after midnight, local time; start > end wraps past midnight (20:00-07:00)
	quiet_start_minute smallint check (quiet_start_minute between 0 and 1439),
	quiet_end_minute smallint check (quiet_end_minute between 0 and 1439),
	-- break reminder period; the law's ceiling (3 h) is enforced in code, not only here
	play_reminder_minutes integer check (play_reminder_minutes between 1 and 180),
	parent_email_ciphertext bytea,
	parent_email_nonce bytea check (octet_length(parent_email_nonce) = 12),
	parent_email_key_id text,
	created_at timestamptz not null default now(),
	check ((quiet_start_minute is null) = (quiet_end_minute is null))
);

-- A child without a family uses the configured defaults; deleting a family keeps the child.
alter table children add column family_id uuid references families (id) on delete set null;
create index children_family_idx on children (family_id);

create table parent_alerts (
	id uuid primary key,
	family_id uuid references families (id) on delete cascade,
	-- deleting a child erases its alerts too; unpaired toys raise alerts with no child
	child_id uuid references children (id) on delete cascade,
	device_id text,
	kind text not null check (kind in ('self_harm', 'abuse', 'danger')),
	-- what caught it: the local keyword list or the moderation model
	source text not null check (source in ('keyword', 'moderation')),
	language text not null,
	-- the child's words, so a parent can read exactly what was said
	excerpt_ciphertext bytea not null,
	excerpt_nonce bytea not null check (octet_length(excerpt_nonce) = 12),
	excerpt_key_id text not null,
	created_at timestamptz not null default now(),
	emailed_at timestamptz,
	email_error text
);

create index parent_alerts_family_idx on parent_alerts (family_id, created_at desc);
create index parent_alerts_child_idx on parent_alerts (child_id, created_at desc);

-- One row per scope per local day, added to after every turn (upsert). scope_id is a device_id or
-- a family id as text: the two are budgeted the same way, so one table and one query serve both.
create table usage_daily (
	day date not null,
	scope text not null check (scope in ('device', 'family')),
	scope_id text not null,
	turns integer not null default 0,
	tokens_in bigint not null default 0,
	tokens_out bigint not null default 0,
	audio_in_ms bigint not null default 0,
	audio_out_ms bigint not null default 0,
	primary key (scope, scope_id, day)
);

create table seasons (
	id smallint primary key,
	position smallint not null unique,
	title text not null,
	min_age smallint not null check (min_age between 3 and 13),
	max_age smallint not null check (max_age between 3 and 13)
);

create table episodes (
	id smallint primary key,
	season_id smallint not null references seasons (id) on delete cascade,
	position smallint not null,
	title text not null,
	-- appended to the system prompt while this is the child's current episode
	lesson_goal text not null,
	-- answered turns in the episode before it counts as done (see docs/safety.md)
	turns_to_complete smallint not null default 6 check (turns_to_complete > 0),
	unique (season_id, position)
);

create table child_progress (
	child_id uuid primary key references children (id) on delete cascade,
	episode_id smallint not null references episodes (id),
	turns_in_episode integer not null default 0,
	episodes_completed integer not null default 0,
	updated_at timestamptz not null default now()
);

-- What the toy remembers about a child between sessions, capped at about 1,000 tokens.
create table child_summaries (
	child_id uuid primary key references children (id) on delete cascade,
	ciphertext bytea not null,
	nonce bytea not null check (octet_length(nonce) = 12),
	key_id text not null,
	approx_tokens integer not null,
	updated_at timestamptz not null default now()
);

insert into seasons (id, position, title, min_age, max_age) values
	(1, 1, 'Hello, Teddy!', 3, 13),
	(2, 2, 'Curious world', 3, 13);

insert into episodes (id, season_id, position, title, lesson_goal, turns_to_complete) values
	(1, 1, 1, 'Greetings and feelings', 'Practise saying hello and goodbye, and ask how the child feels today, naming a feeling or two.', 6),
	(2, 1, 2, 'Colours all around', 'Play a game of naming the colours of things the child can see or likes.', 6),
	(3, 1, 3, 'Counting fun', 'Count things together: up to ten for little ones, in tens up to a hundred for older children.', 6),
	(4, 2, 1, 'Animals and their homes', 'Talk about where animals live (nests, burrows, oceans) and ask which animal the child would like to be.', 6),
	(5, 2, 2, 'Weather and seasons', 'Talk about the weather today and what each season is like.', 6),
	(6, 2, 3, 'Kind words', 'Explore kind words and helping others; ask the child about a time someone was kind to them.', 6);

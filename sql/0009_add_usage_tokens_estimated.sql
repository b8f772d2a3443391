-- How many of the day's tokens (tokens_in + tokens_out) were estimated from text length because the
-- API reported no usage for those turns (the offline bear, a local server without usage). The rest
-- are the counts the API reported.
alter table usage_daily add column tokens_estimated bigint not null default 0;

-- What parents see: an alert a parent has read and acted on is acknowledged (by whom, when), and a
-- toy's firmware version as it last reported it, for the toy's status.

alter table parent_alerts add column acknowledged_at timestamptz;
alter table parent_alerts add column acknowledged_by uuid references parents (id) on delete set null;
create index parent_alerts_family_open_idx on parent_alerts (family_id, created_at desc) where acknowledged_at is null;

alter table devices add column firmware_version text check (char_length(firmware_version) <= 64);

-- Placeholder for migration 0004, which belongs to the "device-identity" work package
-- (children.device_id, per-owner external_id, device binding, hashed pairing codes).
-- ! At merge, drop this file in favour of that package's 0004: the numbering must stay contiguous.
select 1;

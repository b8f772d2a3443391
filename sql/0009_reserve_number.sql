-- Placeholder: number 0009 belongs to another work package being merged at the same time
-- (migrations must be contiguous). Drop this file when that package's 0009 is in main.
select 1;

-- 0003: who changed a job schedule override.
ALTER TABLE job_schedules ADD COLUMN updated_by {{text}} NOT NULL DEFAULT '';

-- VIG-2: a step that rests on the vigilance clearance and was taken while it
-- was denied or deferred carries the deciding officer's reasons for going
-- ahead; null for every other step.
ALTER TABLE workflow_steps ADD COLUMN clearance_override TEXT;

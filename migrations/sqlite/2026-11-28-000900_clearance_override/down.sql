ALTER TABLE workflow_steps DROP COLUMN clearance_override;

DROP TABLE empanelment_runs;
DROP TABLE empanelment_proposals;
DROP TABLE empanelment_batches;
DROP TABLE apars;

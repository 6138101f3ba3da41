-- SPO-1: the versions given to the couples of a round, never twice. A
-- couple is deleted when withdrawn, so a couple registered after it by the
-- same officer took its versions (and ETags) again from 1; the round now
-- counts them. Rounds that have couples start past the highest they hold.
ALTER TABLE rotation_rounds ADD COLUMN couple_versions BIGINT NOT NULL DEFAULT 0;
UPDATE rotation_rounds SET couple_versions = COALESCE(
    (SELECT MAX(c.version) FROM rotation_couples c WHERE c.round_id = rotation_rounds.id), 0);

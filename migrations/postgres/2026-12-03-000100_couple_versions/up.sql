-- SPO-1: the versions given to the couples of a round, never twice. A
-- couple is deleted when withdrawn, so a couple registered after it by the
-- same officer took its versions (and ETags) again from 1; the round now
-- counts them. A round starts past every version it gave: each came from
-- one audited change of a couple of the round (withdrawn ones included),
-- and no couple held holds more.
ALTER TABLE rotation_rounds ADD COLUMN couple_versions BIGINT NOT NULL DEFAULT 0;
UPDATE rotation_rounds SET couple_versions = GREATEST(
    COALESCE((SELECT MAX(c.version) FROM rotation_couples c WHERE c.round_id = rotation_rounds.id), 0),
    (SELECT COUNT(*) FROM audit_log a
      WHERE a.entity = 'rotation_couple' AND a.entity_id LIKE rotation_rounds.id || '/%'));

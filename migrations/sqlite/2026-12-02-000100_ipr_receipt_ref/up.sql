-- IPR-1: a return received outside CSCMS (on paper, before the system went
-- live) is recorded by the nodal officer or AVD with the diary/receipt
-- number or covering letter it came under; its filed_on is the day it was
-- received. Null for returns filed in CSCMS.
ALTER TABLE ipr_returns ADD COLUMN receipt_ref TEXT
    CHECK (receipt_ref IS NULL OR length(receipt_ref) BETWEEN 3 AND 200);

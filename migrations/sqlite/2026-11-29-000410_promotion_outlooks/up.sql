-- ROT-2: DoPT records that an officer's promotion is likely within a year,
-- dated and under an order; a record exempts from rotation from its date
-- for the span in force (12 months). Records are kept, never changed.
CREATE TABLE promotion_outlooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    employee_code TEXT NOT NULL REFERENCES employees (code),
    -- The officer's organisation when recorded (scope of the nodal officer).
    org_id TEXT NOT NULL REFERENCES organisations (id),
    dated DATE NOT NULL,
    order_ref TEXT NOT NULL,
    remarks TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX promotion_outlooks_employee ON promotion_outlooks (employee_code, dated);

//! Central Staffing Scheme JS-level empanelment (CSS-1..CSS-10).

//! Pay, pay fixation, MACP/ACP and the non-functional scale (SPEC §2.1-2.3).

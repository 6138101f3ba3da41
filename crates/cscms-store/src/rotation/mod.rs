//! Rotation transfer (ROT-1, ROT-2) as stored: the dated ministry groups,
//! rounds with the officers' lists of preferences and couples, the
//! allocation runs with the transfer orders of the approved one, and the
//! representations against their results.

pub mod couples;
pub mod groups;
pub mod preferences;
pub mod representations;
pub mod rounds;
pub mod runs;

//! Rotation transfer (ROT-1, ROT-2, SPO-1 in a round): the ministry groups
//! DoPT keeps, the rounds it announces, the officers' lists of preferences
//! and couples, the allocation runs and the approval of one, and the
//! representations against a result. One module per resource; `officers`
//! holds what every path naming an officer in a round shares.

pub mod allocation;
pub mod couples;
pub mod ministry_groups;
pub mod officers;
pub mod preferences;
pub mod representations;
pub mod rounds;
pub mod runs;
pub mod submissions;

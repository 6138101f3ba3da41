//! The employee profile (PRF-1..PRF-5): its document, who may change which
//! part of it, its status, the gate every employee service passes, and the
//! validation rounds after which an unvalidated profile is deemed final.

pub mod document;
pub mod edit;
pub mod gate;
pub mod rights;
pub mod round;
pub mod status;

pub use document::{DeclaredService, ProfileDoc, ServiceRecord};
pub use edit::{edit, Edit, EditRefused};
pub use gate::{profile_gate, GateRefusal};
pub use rights::{changed_fields, may_change, FieldRefusal};
pub use round::{
    deemed_final, may_return, strength_deemed_final, DeemedFinal, Round, StrengthValidation,
    FINAL_MARK,
};
pub use status::{PendingCursor, ProfileAction, ProfileStatus, TransitionRefused};

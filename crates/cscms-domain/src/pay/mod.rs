//! Pay, pay fixation, MACP/ACP and the non-functional scale (SPEC §2.1-2.3).
//!
//! The pay structures are data (PAY-1): the 7th CPC matrix, the 6th CPC pay
//! bands and the pre-revised (5th CPC) scales are compiled in from
//! `data/reference/` and parsed once at first use ([`data`]). Everything else
//! is a pure function of its inputs and an as-of date.
//!
//! - [`matrix`]: 7th CPC levels and cells, increments in the matrix.
//! - [`sixth`]: 6th CPC pay bands, grade pays, the grade-pay hierarchy.
//! - [`fitment`]: pre-revised scales and fitment into the revised structures.
//! - [`fixation`]: fixation on promotion/upgrade (Rule 13 of 2008 and 2016, FR 22).
//! - [`increment`]: dates of increment by pay regime.
//! - [`position`]: a place in the hierarchy named in any regime ([`PayRef`]).
//! - [`benchmark`]: APAR gradings and the MACP benchmark.
//! - [`macp`]: the ACP/MACP engine (MACP-1..8).
//! - [`deputation`]: MACP pay against deputation allowance (MACP-9).
//! - [`nfs`]: the non-functional scale engine (NFS-1..4).

pub mod benchmark;
pub mod data;
mod dates;
pub mod deputation;
pub mod fitment;
pub mod fixation;
pub mod increment;
pub mod macp;
pub mod matrix;
pub mod nfs;
pub mod position;
pub mod regime;
pub mod sixth;

/// The revision of the MACP and NFS engines' rules whose answers the store
/// keeps (the MACP due dates and NFS completions). A change that moves a
/// date those engines give for a history already on record (a rule read
/// anew, a dated parameter added) takes a new revision, and the first start
/// of the build computes every employee's kept dates again.
///
/// 2026-12-02: MACP-5 judged by the post held regularly; MACP-6
/// postponements past a scheme's start; a recorded MACP fills a pending
/// ACP's place.
/// 2026-12-02b: the non-functional scale an upgradation, not a promotion
/// (MACP-7); a promotion before 2006 into the scale held under ACP uses up
/// no upgradation.
/// 2026-12-03: a promotion after 2006 to a post of the same grade pay
/// counts (clarification 8); a recorded grant after another event is the
/// upgrade it records, not the one after a computed one; a Group 'D' entry
/// given by its -1S grade pay keeps its merged scale (clarifications 9, 11);
/// a promotion before 2006 into the level held under ACP, given by level,
/// uses up no upgradation.
pub const KEPT_DATES_REVISION: &str = "2026-12-03";

pub use benchmark::{Apar, Grading};
pub use deputation::{
    compare_deputation, deputation_pay, DeputationAllowance, DeputationChoice,
    DeputationComparison, DeputationFacts, DeputationInput, DeputationPay,
};
pub use fitment::{fit_prerevised, fit_sixth_to_seventh, PreRevisedScale};
pub use fixation::{fix_pay, FixInput, Fixation, Pay, Step};
pub use macp::{
    evaluate_macp, note_vigilance, CareerEvent, MacpInput, MacpOutcome, Scheme, Upgrade,
    UpgradeStatus,
};
pub use matrix::Level;
pub use nfs::{evaluate_nfs, NfsInput, NfsOutcome, NfsPension};
pub use position::PayRef;
pub use regime::PayRegime;
pub use sixth::{GradePay, PayBand};

use chrono::NaiveDate;

/// Why a pay computation could not be made. Every variant is a bad input
/// (or, for [`PayError::Data`], a broken reference file caught by tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    #[error("unknown 7th CPC pay level '{0}'")]
    UnknownLevel(String),
    #[error("unknown 6th CPC pay band '{0}'")]
    UnknownPayBand(String),
    #[error("unknown 6th CPC grade pay {0}")]
    UnknownGradePay(u32),
    #[error("grade pay {0} exists in more than one pay band: give the pay band too")]
    AmbiguousGradePay(u32),
    #[error("unknown pre-revised pay scale '{0}'")]
    UnknownScale(String),
    #[error("a pay position needs a level, a grade pay or a pre-revised scale")]
    EmptyPayRef,
    #[error("pay position is inconsistent: {0}")]
    InconsistentPayRef(String),
    #[error("{pay} is not a cell of level {level} of the pay matrix")]
    NotACell { level: String, pay: u32 },
    #[error("no cell of level {level} reaches {amount}")]
    BeyondMatrix { level: String, amount: u32 },
    #[error("pay {pay} is outside {what}")]
    PayOutOfRange { what: String, pay: u32 },
    #[error("{0} is not an upgrade of the pay held")]
    NotAnUpgrade(String),
    #[error("invalid service event on {on}: {why}")]
    InvalidEvent { on: NaiveDate, why: &'static str },
    #[error("no {0} was in force on the date")]
    NotInForce(&'static str),
    #[error("date out of range")]
    DateOutOfRange,
    #[error("{0}")]
    Grade(#[from] crate::cadre::UnknownValue),
    #[error("grade {0} has no non-functional scale")]
    NoNonFunctionalScale(String),
    #[error("reference pay data unreadable: {0}")]
    Data(String),
}

/// OpenAPI schemas of the pay types that serialise as plain strings or numbers.
#[cfg(feature = "openapi")]
mod schemas {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;

    fn plain(ty: Type, description: &str, example: serde_json::Value) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(ty)
            .description(Some(description))
            .examples([example])
            .into()
    }

    impl utoipa::PartialSchema for super::Level {
        fn schema() -> RefOr<Schema> {
            plain(
                Type::String,
                "7th CPC pay matrix level, e.g. 8 or 13A",
                "13A".into(),
            )
        }
    }
    impl utoipa::ToSchema for super::Level {}

    impl utoipa::PartialSchema for super::PayBand {
        fn schema() -> RefOr<Schema> {
            plain(
                Type::String,
                "6th CPC pay band: -1S, PB-1, PB-2, PB-3, PB-4, HAG",
                "PB-2".into(),
            )
        }
    }
    impl utoipa::ToSchema for super::PayBand {}

    impl utoipa::PartialSchema for super::GradePay {
        fn schema() -> RefOr<Schema> {
            plain(Type::Integer, "6th CPC grade pay in rupees", 4800.into())
        }
    }
    impl utoipa::ToSchema for super::GradePay {}
}

//! How an APAR written to the record meets the one already there for the
//! same period (CSS-2, CSS-8): the precedence of sources and what an
//! import that leaves fields out keeps.
//!
//! SPARROW imports APARs as they are written; DoPT enters and corrects
//! them. An Experts Panel grading or an accepted representation on record
//! is the cadre authority's own finding, which an import that does not
//! carry one leaves in place; and once DoPT has entered or corrected an
//! APAR, a later import may not change it — the score CSS-2 computes must
//! rest on the corrected record. An import that brings nothing new is no
//! change at all, whoever wrote the record.

use super::apar::Apar;
use crate::employee::string_enum;

string_enum!(
    /// Where an APAR record came from.
    AparSource, "APAR source" {
        // Imported by the SPARROW integration (scope `apar:write`).
        Sparrow = "sparrow",
        // Entered or corrected by the DoPT cadre authority.
        Dopt = "dopt",
    }
);

/// What writing `incoming` over the APAR on record comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Reconciled {
    /// The record already says this: nothing to write.
    Unchanged,
    /// The record becomes this APAR.
    Update(Apar),
    /// DoPT entered or corrected the record; an import does not overwrite it.
    CorrectedByDopt,
}

/// CSS-2 / CSS-8: the APAR on record for a period (`stored`, written by
/// `stored_source`) and an incoming one for the same period from `source`.
///
/// The incoming values replace those on record, except that an Experts
/// Panel grading or a representation the incoming APAR leaves out is kept
/// (the panel's grading not, where the incoming APAR brings a new
/// representation that changed it materially).
/// The same values again are [`Reconciled::Unchanged`] from any source; a
/// change from anyone but DoPT to a record DoPT wrote is refused.
pub fn reconcile(
    stored: &Apar,
    stored_source: AparSource,
    incoming: &Apar,
    source: AparSource,
) -> Reconciled {
    let mut merged = incoming.clone();
    // CSS-8: a representation accepted since the record was written, that
    // changed the APAR materially from the one on record, changed the APAR
    // the Experts Panel graded; the special review is the panel's to hold
    // on the APAR as it now stands, so the earlier panel grading does not
    // carry over. A representation the record's grade already reflected,
    // or a correction of its date, leaves the panel's grading standing.
    let newly_represented =
        incoming.representation.is_some() && incoming.representation != stored.representation;
    let panel_superseded = newly_represented
        && matches!(merged.changed_materially(), Ok(true))
        && moved_from_record(stored, incoming);
    if merged.expert_panel.is_none() && !panel_superseded {
        merged.expert_panel.clone_from(&stored.expert_panel);
    }
    if merged.representation.is_none() {
        merged.representation = stored.representation;
    }
    if merged == *stored {
        Reconciled::Unchanged
    } else if stored_source == AparSource::Dopt && source != AparSource::Dopt {
        Reconciled::CorrectedByDopt
    } else {
        Reconciled::Update(merged)
    }
}

/// Whether `incoming` is not the APAR `stored` held: its grading band
/// moved, or adverse remarks were expunged since.
fn moved_from_record(stored: &Apar, incoming: &Apar) -> bool {
    let band = |a: &Apar| a.grade.grading(a.period.to()).ok().map(|g| g.0);
    let expunged = |a: &Apar| a.representation.is_some_and(|r| r.adverse_remarks_expunged);
    band(stored) != band(incoming) || (expunged(incoming) && !expunged(stored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::empanelment::{
        AparGrade, ExpertPanelGrading, Grading, NumericGrade, ReportingYear, Representation,
    };
    use crate::params::ymd;

    fn apar(grade: Grading) -> Apar {
        Apar {
            period: ReportingYear::starting(2020).period(),
            grade: AparGrade::Grading(grade),
            expert_panel: None,
            representation: None,
        }
    }

    fn panel(grading: Grading) -> Option<ExpertPanelGrading> {
        Some(ExpertPanelGrading {
            grading,
            note: "out of line with the trend".into(),
        })
    }

    fn representation() -> Option<Representation> {
        Some(Representation {
            decided_on: ymd(2022, 6, 1),
            grade_before: AparGrade::Numeric(NumericGrade::new(5.5).unwrap()),
            adverse_remarks_expunged: true,
        })
    }

    #[test]
    fn the_same_values_are_unchanged_from_any_source() {
        let on_record = apar(Grading::Good);
        for stored in AparSource::ALL {
            for source in AparSource::ALL {
                assert_eq!(
                    reconcile(&on_record, *stored, &on_record, *source),
                    Reconciled::Unchanged,
                    "{stored} then {source}"
                );
            }
        }
    }

    #[test]
    fn an_import_keeps_the_panel_grading_and_representation_it_leaves_out() {
        let mut stored = apar(Grading::Good);
        stored.expert_panel = panel(Grading::VeryGood);
        stored.representation = representation();
        // The same grade without them: nothing changes.
        let bare = apar(Grading::Good);
        assert_eq!(
            reconcile(&stored, AparSource::Sparrow, &bare, AparSource::Sparrow),
            Reconciled::Unchanged
        );
        // A new grade: the panel's grading and the representation stay.
        let Reconciled::Update(merged) = reconcile(
            &stored,
            AparSource::Sparrow,
            &apar(Grading::Outstanding),
            AparSource::Sparrow,
        ) else {
            panic!("expected an update");
        };
        assert_eq!(merged.grade, AparGrade::Grading(Grading::Outstanding));
        assert_eq!(merged.expert_panel, stored.expert_panel);
        assert_eq!(merged.representation, stored.representation);
        // A panel grading given replaces the one on record.
        let mut regraded = apar(Grading::Good);
        regraded.expert_panel = panel(Grading::Average);
        assert_eq!(
            reconcile(&stored, AparSource::Sparrow, &regraded, AparSource::Sparrow),
            Reconciled::Update(Apar {
                representation: stored.representation,
                ..regraded
            })
        );
    }

    #[test]
    fn css_8_a_representation_accepted_after_the_panel_graded_supersedes_its_grading() {
        // On record: Good, which the Experts Panel also graded Good.
        let mut stored = apar(Grading::Good);
        stored.expert_panel = panel(Grading::Good);
        // SPARROW then sends the year upgraded on representation.
        let mut upgraded = apar(Grading::VeryGood);
        upgraded.representation = Some(Representation {
            decided_on: ymd(2024, 1, 10),
            grade_before: AparGrade::Grading(Grading::Good),
            adverse_remarks_expunged: false,
        });
        let Reconciled::Update(merged) =
            reconcile(&stored, AparSource::Sparrow, &upgraded, AparSource::Sparrow)
        else {
            panic!("expected an update");
        };
        // The year reads Very Good until the panel grades it again.
        assert_eq!(merged.expert_panel, None);
        assert_eq!(
            merged.effective_grading().map(|g| g.0),
            Ok(Grading::VeryGood)
        );
        // The same representation again, or one that moved nothing, keeps
        // the panel's grading.
        let mut again = stored.clone();
        again.representation = upgraded.representation;
        assert_eq!(
            reconcile(&again, AparSource::Sparrow, &upgraded, AparSource::Sparrow),
            Reconciled::Update(Apar {
                expert_panel: panel(Grading::Good),
                ..upgraded.clone()
            })
        );
        let mut immaterial = apar(Grading::Good);
        immaterial.representation = Some(Representation {
            decided_on: ymd(2024, 1, 10),
            grade_before: AparGrade::Grading(Grading::Good),
            adverse_remarks_expunged: false,
        });
        let Reconciled::Update(kept) = reconcile(
            &stored,
            AparSource::Sparrow,
            &immaterial,
            AparSource::Sparrow,
        ) else {
            panic!("expected an update");
        };
        assert_eq!(kept.expert_panel, panel(Grading::Good));
        // A representation the record's grade already reflected: the panel
        // graded the APAR as it is sent.
        let mut reflected = apar(Grading::VeryGood);
        reflected.expert_panel = panel(Grading::Outstanding);
        let Reconciled::Update(merged) = reconcile(
            &reflected,
            AparSource::Sparrow,
            &upgraded,
            AparSource::Sparrow,
        ) else {
            panic!("expected an update");
        };
        assert_eq!(merged.expert_panel, panel(Grading::Outstanding));
        // The representation's date corrected: the same APAR, the panel's
        // grading stands.
        let mut both = upgraded.clone();
        both.expert_panel = panel(Grading::Outstanding);
        let mut redated = upgraded.clone();
        redated.representation = Some(Representation {
            decided_on: ymd(2024, 1, 11),
            grade_before: AparGrade::Grading(Grading::Good),
            adverse_remarks_expunged: false,
        });
        let Reconciled::Update(merged) =
            reconcile(&both, AparSource::Sparrow, &redated, AparSource::Sparrow)
        else {
            panic!("expected an update");
        };
        assert_eq!(merged.expert_panel, panel(Grading::Outstanding));
        // Adverse remarks expunged since, the band unmoved: superseded.
        let mut expunged = apar(Grading::Good);
        expunged.representation = Some(Representation {
            decided_on: ymd(2024, 1, 10),
            grade_before: AparGrade::Grading(Grading::Good),
            adverse_remarks_expunged: true,
        });
        let Reconciled::Update(merged) =
            reconcile(&stored, AparSource::Sparrow, &expunged, AparSource::Sparrow)
        else {
            panic!("expected an update");
        };
        assert_eq!(merged.expert_panel, None);
    }

    #[test]
    fn a_dopt_correction_beats_an_import() {
        let stored = apar(Grading::VeryGood);
        let stale = apar(Grading::Good);
        assert_eq!(
            reconcile(&stored, AparSource::Dopt, &stale, AparSource::Sparrow),
            Reconciled::CorrectedByDopt
        );
        // DoPT may change its own record, and any source a SPARROW one.
        assert_eq!(
            reconcile(&stored, AparSource::Dopt, &stale, AparSource::Dopt),
            Reconciled::Update(stale.clone())
        );
        assert_eq!(
            reconcile(&stored, AparSource::Sparrow, &stale, AparSource::Sparrow),
            Reconciled::Update(stale)
        );
    }
}

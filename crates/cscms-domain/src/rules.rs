//! The rule registry: every rule id of `SPEC.md` with the order it rests on.
//!
//! Engines cite these constants in their reasons, so a rule id and its
//! citation never drift apart.

/// A rule: its SPEC id and the order it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub citation: &'static str,
}

impl Rule {
    /// The same rule where, in a case, it rests on another order: a dated
    /// parameter's source (the CSSS tenure OM under ROT-2, the Act's
    /// section 7(1) for the RTI register's reply period).
    pub const fn resting_on(self, citation: &'static str) -> Rule {
        Rule {
            id: self.id,
            citation,
        }
    }
}

macro_rules! rules {
    ($($name:ident = $id:literal, $citation:literal;)*) => {
        $(pub const $name: Rule = Rule { id: $id, citation: $citation };)*
        /// Every rule, for lookups by id.
        pub const ALL: &[Rule] = &[$($name),*];
    };
}

const CSCMS_OM: &str = "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022";
const MACPS_CLAR: &str =
    "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010 (MACPS clarifications), read with OM of even number dated 19.05.2009";

rules! {
    PRF_1 = "PRF-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 2";
    PRF_2 = "PRF-2", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.1";
    PRF_3 = "PRF-3", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.1";
    PRF_4 = "PRF-4", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 5";
    PRF_5 = "PRF-5", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.1";
    IPR_1 = "IPR-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.2";
    VIG_1 = "VIG-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.5";
    VIG_2 = "VIG-2", "DoPT OM No. 11012/11/2007-Estt.A dated 27.09.2011";
    FV_1 = "FV-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.3";
    DEP_1 = "DEP-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.4";
    DEP_2 = "DEP-2", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarifications 6 and 10";
    AOI_1 = "AOI-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.6";
    ROT_1 = "ROT-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 3.7";
    ROT_2 = "ROT-2", "DoPT OM No. 21/19/2022-CS.I(P) dated 02.11.2022 (as reproduced publicly; to be confirmed)";
    INT_1 = "INT-1", "DoPT OM F.No. 21/04/2022-CSCMS dated 15.11.2022, para 4";
    MACP_1 = "MACP-1", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 1";
    MACP_2 = "MACP-2", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 4";
    MACP_3 = "MACP-3", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 3";
    MACP_4 = "MACP-4", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 2";
    MACP_5 = "MACP-5", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 5";
    MACP_6 = "MACP-6", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 7";
    MACP_7 = "MACP-7", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 8";
    MACP_8 = "MACP-8", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarifications 9 and 11";
    MACP_9 = "MACP-9", "DoPT OM No. 35034/3/2008-Estt.(D) dated 09.09.2010, clarification 10";
    NFS_1 = "NFS-1", "DoPT OM No. 21/36/03-CS.I dated 13.11.2003; F.No. 5/4/2005-CS information document (06.10.2022)";
    NFS_2 = "NFS-2", "DoPT OMs No. 5/4/2005-CS.I(S) dated 01.04.2014, 21.04.2014 and 14.09.2022 (F.No. 5/4/2005-CS information document of 06.10.2022, para 6)";
    NFS_3 = "NFS-3", "DoPT OM No. 21/36/03-CS.I dated 13.11.2003; DoPT OMs No. 5/4/2005-CS.I dated 30.03.2006, 14.05.2009 and 19.11.2009; Rule 13, CCS (RP) Rules 2008 and 2016";
    NFS_4 = "NFS-4", "DoPT OM No. 21/36/03-CS.I dated 13.11.2003, para (IV)";
    PAY_1 = "PAY-1", "FR 22(I)(a)(1) and (2) (pre-revised scales, CCS (RP) Rules 1997); CCS (RP) Rules 2008 (6th CPC); CCS (RP) Rules 2016 (7th CPC)";
    CSS_1 = "CSS-1", "Central Staffing Scheme, DoPT OM No. 36/77/96-EO(SM-I) dated 05.01.1996, para 6";
    CSS_2 = "CSS-2", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    CSS_3 = "CSS-3", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    CSS_4 = "CSS-4", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    CSS_5 = "CSS-5", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    CSS_6 = "CSS-6", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    CSS_7 = "CSS-7", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs; DoPT OM No. 11012/11/2007-Estt.A dated 27.09.2011";
    CSS_8 = "CSS-8", "Para 10 of the Central Staffing Scheme, DoPT OM No. 36/77/96-EO(SM-I) dated 05.01.1996; DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    CSS_9 = "CSS-9", "DoPT, Central Staffing Scheme: list of services participating under the Scheme";
    CSS_10 = "CSS-10", "DoPT, Central Staffing Scheme: procedure for empanelment at the level of Joint Secretary, and its FAQs";
    SPO_1 = "SPO-1", "DoPT OM No. 28034/9/2009-Estt.(A) dated 30.09.2009";
    TRN_1 = "TRN-1", "DoPT-IGNOU Distance & E-Learning Programmes for Government Employees (DELPGE), paras 2, 6 and 7";
    EXG_1 = "EXG-1", "DoP&PW OMs No. 45/7/2008-P&PW(F) dated 16.03.2009 (Rs 20 lakh aggregate ceiling) and 12.07.2010 (ceiling withdrawn w.e.f. 01.01.2006)";
    RTI_1 = "RTI-1", "DoPT OM No. F.10/9/2008-IR dated 26.04.2011";
    SUR_1 = "SUR-1", "DoPT OM No. 1/1/2017-R&R and DC dated 03.04.2019";
}

/// PAY-1 as applied in one pay structure: the same rule, citing only the
/// rules of the structure the pay was fixed in.
pub const PAY_1_FR22: Rule = Rule {
    id: "PAY-1",
    citation: "FR 22(I)(a)(1) and (2), pre-revised scales (CCS (RP) Rules 1997)",
};
pub const PAY_1_2008: Rule = Rule {
    id: "PAY-1",
    citation: "CCS (RP) Rules 2008 (6th CPC), Rules 9 and 13",
};
pub const PAY_1_2016: Rule = Rule {
    id: "PAY-1",
    citation: "CCS (RP) Rules 2016 (7th CPC), Rule 13",
};

/// The CSCMS revamp OM, cited where a portal behaviour (not a service rule) applies.
pub const CSCMS_ORDER: &str = CSCMS_OM;
/// The MACPS clarifications OM as a whole.
pub const MACPS_ORDER: &str = MACPS_CLAR;

/// Finds a rule by its SPEC id (`"MACP-6"`).
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_findable() {
        for (i, r) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|o| o.id != r.id), "{} twice", r.id);
            assert_eq!(by_id(r.id), Some(r));
            assert!(!r.citation.is_empty());
        }
        assert_eq!(
            by_id("MACP-6").map(|r| r.citation.contains("clarification 7")),
            Some(true)
        );
        assert_eq!(by_id("NOPE-1"), None);
        // A citation names an order a reader can find, never this
        // repository's copy of it.
        for r in ALL.iter().chain([&PAY_1_FR22, &PAY_1_2008, &PAY_1_2016]) {
            assert!(!r.citation.to_lowercase().contains("seed"), "{}", r.id);
        }
        assert!(CSS_8
            .citation
            .starts_with("Para 10 of the Central Staffing Scheme"));
        for r in [PAY_1_FR22, PAY_1_2008, PAY_1_2016] {
            assert_eq!(by_id(r.id).map(|p| p.id), Some("PAY-1"));
        }
    }

    #[test]
    fn nfs_citations_name_the_orders_of_seed_003() {
        // Seed 003 para 5: OM No. 5/4/2005-CS.I dated 19.11.2009; para 6:
        // OMs No. 5/4/2005-CS.I(S) dated 01.04.2014 and 21.04.2014.
        assert!(NFS_3
            .citation
            .contains("5/4/2005-CS.I dated 30.03.2006, 14.05.2009 and 19.11.2009"));
        assert!(!NFS_3.citation.contains("6/3/2009"));
        assert!(NFS_2
            .citation
            .contains("5/4/2005-CS.I(S) dated 01.04.2014, 21.04.2014 and 14.09.2022"));
        assert!(PAY_1_FR22.citation.starts_with("FR 22(I)(a)"));
        assert!(!PAY_1_FR22.citation.contains("2008"));
    }
}

//! Deputation (DEP-1, DEP-2): advertisements by sub-nodal officers,
//! applications by employees, cadre clearance by the employee's ministry and
//! approval by DoPT, with the vigilance clearance fetched at every step.

pub mod advertisements;
pub mod applications;
pub mod views;

pub use advertisements::*;
pub use applications::*;
pub use views::{
    AdvertisementList, AdvertisementVersion, AdvertisementView, ApplicationList,
    ApplicationSummary, ApplicationView, DocumentRef,
};

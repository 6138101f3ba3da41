//! Stateless rule evaluation for integrators and what-if questions (SPEC
//! §2.1-2.3). Any authenticated caller may ask; nothing is stored. Every
//! decision carries its as-of date and the rules and orders it rests on.

use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use cscms_domain::decision::Decision;
use cscms_domain::pay::{
    self, FixInput, Fixation, MacpInput, MacpOutcome, NfsInput, NfsOutcome, PayError,
};
use cscms_domain::rotation::{self, Allocation, AllocationInput, RotationInput, RotationOutcome};
use cscms_domain::spouse_posting::{self, SpouseInput, SpouseOutcome};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::{parse_json, JsonObject};

/// Splits the `as_of` date off a request body and reads the rest as the
/// engine's input (which rejects unknown fields itself).
fn split<T: DeserializeOwned>(mut body: Map<String, Value>) -> Result<(NaiveDate, T), ApiError> {
    let as_of = match body.remove("as_of") {
        Some(Value::String(s)) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("body.as_of", "invalid", "a date, YYYY-MM-DD"))?,
        Some(_) => {
            return Err(ApiError::invalid(
                "body.as_of",
                "invalid",
                "a date, YYYY-MM-DD",
            ))
        }
        None => {
            return Err(ApiError::invalid(
                "body.as_of",
                "required",
                "the date to decide as of",
            ))
        }
    };
    let input = parse_json::<T>(Value::Object(body).to_string().as_bytes())?;
    Ok((as_of, input))
}

/// The documented shape of a rules request: the engine's input and the date.
/// The documented schema of a rules request: the engine's input object with
/// `as_of` added (built by hand: an `allOf` would clash with the input's
/// closed object).
fn with_as_of<T: utoipa::ToSchema>() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
    use utoipa::openapi::RefOr;
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        let as_of = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some("Decide as of this date."))
            .build();
        object.properties.insert("as_of".into(), as_of.into());
        object.required.push("as_of".into());
    }
    schema
}

macro_rules! as_of_request {
    ($name:ident, $input:ty) => {
        /// The engine's input with the date to decide as of.
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                with_as_of::<$input>()
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                <$input as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}

as_of_request!(MacpRequest, MacpInput);
as_of_request!(NfsRequest, NfsInput);
as_of_request!(FixationRequest, FixInput);
as_of_request!(RotationRequest, RotationInput);
as_of_request!(AllocationRequest, AllocationInput);
as_of_request!(SpousePostingRequest, SpouseInput);

/// A pay engine's refusal of its input, as a 422 naming the rule broken.
pub fn pay_error(e: PayError) -> ApiError {
    ApiError::Validation(vec![FieldError::new("body", "invalid", e.to_string())])
}

/// Evaluate MACP/ACP upgrades
///
/// MACP/ACP upgrades for a service history (MACP-1..MACP-9). Body: `as_of`
/// and the engine input (`joined_entry_grade_on`, `entry`, `organised_group_a`,
/// `events`, `apars`).
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    request_body = MacpRequest,
    responses((status = 200, description = "The MACP/ACP decision with its reasons", body = Decision<MacpOutcome>)))]
#[post("/rules/macp/evaluate")]
pub async fn macp(_who: Auth, JsonObject(body): JsonObject) -> Result<HttpResponse, ApiError> {
    let (as_of, input) = split::<MacpInput>(body)?;
    let decision = pay::evaluate_macp(as_of, &input).map_err(pay_error)?;
    Ok(HttpResponse::Ok().json(decision))
}

/// Evaluate the non-functional scale
///
/// The non-functional scale of SO (CSS) / PS (CSSS) (NFS-1..NFS-4).
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    request_body = NfsRequest,
    responses((status = 200, description = "The NFS decision with its reasons", body = Decision<NfsOutcome>)))]
#[post("/rules/nfs/evaluate")]
pub async fn nfs(_who: Auth, JsonObject(body): JsonObject) -> Result<HttpResponse, ApiError> {
    let (as_of, input) = split::<NfsInput>(body)?;
    let decision = pay::evaluate_nfs(as_of, &input).map_err(pay_error)?;
    Ok(HttpResponse::Ok().json(decision))
}

/// Fix pay on moving up
///
/// Pay fixation on moving to a higher level / grade pay (PAY-1; Rule 13),
/// by the rules in force on `as_of`: a pay held in a structure not in force
/// then (a 7th CPC level before 01.01.2016, a 6th CPC band outside
/// 2006-2015, a pre-revised scale from 2006) is refused (422).
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    request_body = FixationRequest,
    responses((status = 200, description = "The pay fixation decision with its reasons", body = Decision<Fixation>)))]
#[post("/rules/pay/fixation")]
pub async fn fixation(_who: Auth, JsonObject(body): JsonObject) -> Result<HttpResponse, ApiError> {
    let (as_of, input) = split::<FixInput>(body)?;
    let decision = pay::fix_pay(as_of, &input).map_err(pay_error)?;
    Ok(HttpResponse::Ok().json(decision))
}

/// An engine's refusal of its input, as a 422 saying what is wrong.
fn refused(e: impl std::fmt::Display) -> ApiError {
    ApiError::Validation(vec![FieldError::new("body", "invalid", e.to_string())])
}

/// The input field a ROT-2 refusal lies in, where it is one.
pub(crate) fn rotation_field(e: &rotation::RotationError) -> Option<&'static str> {
    match e {
        rotation::RotationError::BornAfterJoining(..) | rotation::RotationError::UnderAge(..) => {
            Some("date_of_birth")
        }
        rotation::RotationError::FutureTenure(..) => Some("in_ministry_since"),
        _ => None,
    }
}

/// Who must rotate
///
/// ROT-2 for one officer: minimum tenure in the present ministry by grade,
/// counted to `as_of` (the date the round's process starts), and the
/// exemptions (superannuation within 2 years under FR 56(a); promotion likely
/// within a year). The tenure figures come from orders as reproduced publicly
/// (DoPT OM 21/19/2022-CS.I(P) of 02.11.2022; CSSS OM of 21.07.2009), kept as
/// dated parameters with that source.
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    request_body = RotationRequest,
    responses((status = 200, description = "must_rotate, may_opt, not_eligible or exempt, with reasons", body = Decision<RotationOutcome>)))]
#[post("/rules/rotation/eligibility")]
pub async fn rotation_eligibility(
    _who: Auth,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (as_of, input) = split::<RotationInput>(body)?;
    let decision =
        rotation::evaluate_rotation(as_of, &input).map_err(|e| match rotation_field(&e) {
            Some(field) => ApiError::invalid(&format!("body.{field}"), "invalid", e.to_string()),
            None => refused(e),
        })?;
    Ok(HttpResponse::Ok().json(decision))
}

/// Allocate a rotation round (what-if)
///
/// The allocation engine on a round given in full (ROT-1, ROT-2, SPO-1):
/// officer-proposing deferred acceptance per grade with one published
/// priority, couples posted together first where a post is available for
/// each at one station, officers who must rotate placed afterwards. Nothing
/// is stored.
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    request_body = AllocationRequest,
    responses((status = 200, description = "Each officer's result with the reasons, the couples, the posts left", body = Decision<Allocation>)))]
#[post("/rules/rotation/allocate")]
pub async fn rotation_allocate(
    _who: Auth,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (as_of, input) = split::<AllocationInput>(body)?;
    const MAX_OFFICERS: usize = 20_000;
    if input.officers.len() > MAX_OFFICERS {
        return Err(ApiError::invalid(
            "body.officers",
            "too_many",
            format!("at most {MAX_OFFICERS} officers"),
        ));
    }
    let decision = web::block(move || rotation::allocate(as_of, &input))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(refused)?;
    Ok(HttpResponse::Ok().json(decision))
}

/// Classify a spouse-posting case
///
/// SPO-1 (DoPT OM 28034/9/2009-Estt.(A) of 30.09.2009): the case (i)-(viii)
/// of para 4 for the two spouses' services and stations; who applies to
/// which authority, in what order, and what it may do; whether posting
/// together is mandatory (para 2); that a refusal must give specific reasons
/// (para 5); and where a representation goes (para 6).
#[utoipa::path(tag = "rules", security(("bearer" = [])),
    request_body = SpousePostingRequest,
    responses((status = 200, description = "The case, the authorities in order, and the reasons", body = Decision<SpouseOutcome>)))]
#[post("/rules/spouse-posting/evaluate")]
pub async fn spouse_posting_evaluate(
    _who: Auth,
    JsonObject(body): JsonObject,
) -> Result<HttpResponse, ApiError> {
    let (as_of, input) = split::<SpouseInput>(body)?;
    // SPO-1 para 4(i): an All India Service is the IAS, the IPS or the IFoS.
    let errors = spouse_posting::check(&input);
    if !errors.is_empty() {
        return Err(ApiError::fields("body", errors));
    }
    Ok(HttpResponse::Ok().json(spouse_posting::evaluate_spouse_posting(as_of, &input)))
}

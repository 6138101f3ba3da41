//! JSON documents kept in text columns, read as their own types.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::sql_types::Text;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::StoreError;

/// A stored JSON document read as `T`. A document that does not read as
/// `T` fails the row (`StoreError::Corrupt`, a 500), like any unreadable
/// stored value. Insert structs write the text ([`to_text`]).
#[derive(Debug, Clone, PartialEq, FromSqlRow)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T, DB> FromSql<Text, DB> for Json<T>
where
    DB: Backend,
    String: FromSql<Text, DB>,
    T: DeserializeOwned,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
        serde_json::from_str(&text).map(Json).map_err(|e| {
            format!("JSON document as {}: {e}", std::any::type_name::<T>()).into()
        })
    }
}

/// A document as the text its column keeps.
pub fn to_text<T: Serialize + ?Sized>(doc: &T) -> Result<String, StoreError> {
    serde_json::to_string(doc).map_err(|e| StoreError::Corrupt(format!("to JSON: {e}")))
}

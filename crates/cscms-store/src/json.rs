//! JSON documents kept in text columns, read and written as their own types.

use std::fmt::Debug;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::StoreError;

/// A stored JSON document as `T`, with the text its column keeps. A
/// document that does not read as `T` fails the row (`StoreError::Corrupt`,
/// a 500), like any unreadable stored value; one is written as the text it
/// was made or read with.
#[derive(Debug, Clone, PartialEq, FromSqlRow, AsExpression)]
#[diesel(sql_type = Text)]
pub struct Json<T> {
    value: T,
    text: String,
}

impl<T: Serialize> Json<T> {
    /// The document to store.
    pub fn new(value: T) -> Result<Self, StoreError> {
        let text = to_text(&value)?;
        Ok(Json { value, text })
    }
}

impl<T> Json<T> {
    pub fn get(&self) -> &T {
        &self.value
    }

    /// The document as its column keeps it.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
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
        let value = serde_json::from_str(&text)
            .map_err(|e| format!("JSON document as {}: {e}", std::any::type_name::<T>()))?;
        Ok(Json { value, text })
    }
}

impl<T, DB> ToSql<Text, DB> for Json<T>
where
    DB: Backend,
    str: ToSql<Text, DB>,
    T: Debug,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <str as ToSql<Text, DB>>::to_sql(self.text.as_str(), out)
    }
}

/// A document as the text its column keeps.
pub fn to_text<T: Serialize + ?Sized>(doc: &T) -> Result<String, StoreError> {
    serde_json::to_string(doc).map_err(|e| StoreError::Corrupt(format!("to JSON: {e}")))
}

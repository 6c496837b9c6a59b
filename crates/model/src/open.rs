//! `Deserialize` for API objects that keep their unknown fields (an `extra` map), field by
//! field straight from the parser.
//!
//! serde's derive would need `#[serde(flatten)]` for the `extra` map and for fields shared
//! with another object (a call-log record and its legs share `BaseCallLogRecord`). A
//! flattened struct is read by first buffering the whole object, nested objects and all,
//! into serde's private `Content` tree and then reading that tree again: the main cost of
//! reading a call-log record. [`open_object!`] generates instead a visitor that matches each
//! key once, reads known fields in place, hands unknown keys to an embedded shared struct
//! (`base`) and keeps what is left in `extra`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A map key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Required fields seen so far in one object, one bit each (bits are given in
/// [`open_object!`]'s `required` list; an object and its `base` use different bits).
#[derive(Default)]
pub(crate) struct Seen(pub(crate) u8);

/// Declares a struct of API fields and generates how it is read.
///
/// ```text
/// open_object! {
///     /// Docs and attributes of the struct (derive `Default`, never `Deserialize`).
///     #[derive(Debug, Clone, PartialEq, Default)]
///     pub struct Name {
///         /// Docs and attributes of the field.
///         "jsonKey" => field: Type,
///         "otherKey" => other: Type | reader,
///         required(1) "keyKey" => key: Type | reader,
///         base base: SharedFields,
///         extra,
///     }
/// }
/// ```
///
/// Each field is declared once and becomes a `pub` field of the struct, in the order
/// written. `"jsonKey" => field: Type` reads `Type` as serde does (absent: `Default`), and
/// `… | reader` reads it with a `deserialize_with` function. `required(bit)` marks a field
/// the object must have; `bit` is its bit in [`Seen`] (an object and its `base` use
/// different bits). `base field: Type` embeds another generated struct whose keys sit in
/// the same JSON object. `extra` ends the list with `pub extra: Map<String, Value>`.
/// Both get a fixed doc comment (a macro cannot tell a field's attributes from theirs).
///
/// Generated:
/// - `read_field(key, map, seen)`: reads the value of `key` into its field and returns
///   true, or returns false for a key that is none of its fields (nor its `base`'s);
/// - `missing(seen)`: the first required field (its own or its `base`'s) not seen;
/// - with `extra` only, `Deserialize`: an object whose unknown keys go to `extra`; `null`
///   is not an object. A struct without `extra` is only read as another's `base`.
macro_rules! open_object {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $(required($bit:literal))? $key:literal => $field:ident : $ty:ty $( | $with:path )?,
            )*
            $( base $base:ident : $base_ty:ty, )?
            extra $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            $(
                #[doc = concat!("The fields of [`", stringify!($base_ty), "`], read from the same JSON object.")]
                pub $base: $base_ty,
            )?
            /// Fields the spec does not define, as sent.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        open_object!(@read $name {
            $( $(required($bit))? $key => $field : $ty $( | $with )? ),*
        } $( base $base : $base_ty )?);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        let mut seen = $crate::open::Seen::default();
                        while let Some($crate::open::Key(key)) = map.next_key()? {
                            if !out.read_field(&key, &mut map, &mut seen)? {
                                let value: serde_json::Value = map.next_value()?;
                                out.extra.insert(key.into_owned(), value);
                            }
                        }
                        match $name::missing(&seen) {
                            Some(field) => Err(serde::de::Error::missing_field(field)),
                            None => Ok(out),
                        }
                    }
                }
                d.deserialize_map(ObjectVisitor)
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $(required($bit:literal))? $key:literal => $field:ident : $ty:ty $( | $with:path )?,
            )*
            $( base $base:ident : $base_ty:ty, )?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            $(
                #[doc = concat!("The fields of [`", stringify!($base_ty), "`], read from the same JSON object.")]
                pub $base: $base_ty,
            )?
        }

        open_object!(@read $name {
            $( $(required($bit))? $key => $field : $ty $( | $with )? ),*
        } $( base $base : $base_ty )?);
    };
    (
        @read $name:ident {
            $( $(required($bit:literal))? $key:literal => $field:ident : $ty:ty $( | $with:path )? ),*
        }
        $( base $base:ident : $base_ty:ty )?
    ) => {
        impl $name {
            #[allow(unused_variables)]
            pub(crate) fn read_field<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
                seen: &mut $crate::open::Seen,
            ) -> Result<bool, A::Error> {
                match key {
                    $( $key => {
                        self.$field = open_object!(@value map, $ty $(, $with)?);
                        $( seen.0 |= $bit; )?
                    } )*
                    _ => {
                        $( return self.$base.read_field(key, map, seen); )?
                        #[allow(unreachable_code)]
                        return Ok(false);
                    }
                }
                Ok(true)
            }

            #[allow(unused_variables)]
            pub(crate) fn missing(seen: &$crate::open::Seen) -> Option<&'static str> {
                $( $( if seen.0 & $bit == 0 { return Some($key); } )? )*
                $( return <$base_ty>::missing(seen); )?
                #[allow(unreachable_code)]
                None
            }
        }
    };
    (@value $map:ident, $ty:ty) => {
        $map.next_value::<$ty>()?
    };
    (@value $map:ident, $ty:ty, $with:path) => {{
        struct With($ty);
        impl<'de> serde::Deserialize<'de> for With {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $with(d).map(With)
            }
        }
        $map.next_value::<With>()?.0
    }};
}

pub(crate) use open_object;

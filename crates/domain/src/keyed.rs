//! The one pattern for a closed set of cases that is stored, sent in forms or named in metrics:
//! each case has a stable key, a key parses back to its case, and each case has a Persian label
//! for people. [`keyed!`](crate::keyed) writes all three from one table, so they cannot drift.

/// Declares an enum whose cases each carry `(key, label)`, with `ALL`, `key`, `parse` and
/// `label`, the same signatures everywhere.
///
/// ```
/// domain::keyed! {
///     /// A light.
///     pub enum Light {
///         Red = ("red", "قرمز"),
///         Green = ("green", "سبز"),
///     }
/// }
/// assert_eq!(Light::parse("green"), Some(Light::Green));
/// assert_eq!(Light::Red.label(), "قرمز");
/// ```
#[macro_export]
macro_rules! keyed {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$case_meta:meta])* $case:ident = ($key:literal, $label:literal)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$case_meta])* $case),+
        }

        impl $name {
            /// Every case, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$case),+];

            /// The stable key: stored, sent in forms, named in metrics.
            pub fn key(self) -> &'static str {
                match self {
                    $(Self::$case => $key),+
                }
            }

            /// The case a key names.
            pub fn parse(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|case| case.key() == key)
            }

            /// For people, in Persian.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$case => $label),+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    keyed! {
        enum Sample {
            One = ("one", "یک"),
            Two = ("two", "دو"),
        }
    }

    #[test]
    fn keys_round_trip_and_unknown_keys_parse_to_nothing() {
        for case in Sample::ALL {
            assert_eq!(Sample::parse(case.key()), Some(*case));
        }
        assert_eq!(Sample::parse("three"), None);
        assert_eq!(Sample::Two.label(), "دو");
    }
}

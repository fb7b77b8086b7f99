//! The landing flow's draft: what a user has typed so far, kept server-side between steps, and
//! the rule for which step to show.

use serde::{Deserialize, Serialize};

use crate::forms::{Errors, ItemForm, PartyForm, QuoteForm};
use crate::shipment::Role;

/// The steps of the landing flow, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The opener's side, asked only when Divar did not say.
    Role,
    Item,
    Party,
    Quote,
    /// The other side's last step: the final price and "confirm".
    Confirm,
}

impl Step {
    pub const ALL: [Self; 5] = [
        Self::Role,
        Self::Item,
        Self::Party,
        Self::Quote,
        Self::Confirm,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::Item => "item",
            Self::Party => "party",
            Self::Quote => "quote",
            Self::Confirm => "confirm",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Role => "نقش شما",
            Self::Item => "کالا",
            Self::Party => "مشخصات شما",
            Self::Quote => "هزینه و ثبت",
            Self::Confirm => "تأیید و ثبت",
        }
    }

    /// The page of this step.
    pub fn path(self) -> String {
        format!(
            "{}?step={}",
            crate::routes::Route::Request.path(),
            self.key()
        )
    }
}

/// What one browser has typed so far, saved server-side per landing session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The opener's role, when they had to choose it.
    pub role: Option<Role>,
    pub item: ItemForm,
    pub party: PartyForm,
    pub quote: QuoteForm,
    /// Errors of the last submission.
    pub errors: Errors,
    pub item_done: bool,
    pub party_done: bool,
    /// The post's city, from Divar's get-post API.
    pub post_city: Option<String>,
    /// The post's title and fixed price (rials), from the same call, for the session card.
    #[serde(default)]
    pub post_title: Option<String>,
    #[serde(default)]
    pub post_price: Option<crate::values::Rials>,
    /// Whether prefilling from the post was tried (once).
    pub prefilled: bool,
    /// Submitted and waiting for Divar's permission to post in the chat.
    pub awaiting_permission: bool,
}

impl Draft {
    /// The opener's step: the requested one if it is reachable, else the first one not done.
    pub fn opener_step(&self, requested: Option<Step>, role: Option<Role>) -> Step {
        if role.is_none() {
            return Step::Role;
        }
        let first_open = if !self.item_done {
            Step::Item
        } else if !self.party_done {
            Step::Party
        } else {
            Step::Quote
        };
        let reachable = |s: Step| match s {
            Step::Item => true,
            Step::Party => self.item_done,
            Step::Quote => self.item_done && self.party_done,
            Step::Role | Step::Confirm => false,
        };
        requested.filter(|s| reachable(*s)).unwrap_or(first_open)
    }

    /// The other side's step: their own details, then confirmation once those are valid.
    pub fn counterparty_step(&self, requested: Option<Step>) -> Step {
        if requested == Some(Step::Confirm) && self.party_done {
            Step::Confirm
        } else {
            Step::Party
        }
    }

    /// Records a submission's errors, sending the user back to the first step that has some.
    pub fn reopen(&mut self, step: Step, errors: Errors) {
        self.errors = errors;
        self.item_done &= step != Step::Item;
        self.party_done &= !matches!(step, Step::Item | Step::Party);
        self.awaiting_permission = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reachable_steps_are_shown() {
        let mut draft = Draft::default();
        assert_eq!(draft.opener_step(Some(Step::Item), None), Step::Role);
        let role = Some(Role::Receiver);
        assert_eq!(draft.opener_step(Some(Step::Quote), role), Step::Item);
        draft.item_done = true;
        assert_eq!(draft.opener_step(None, role), Step::Party);
        draft.party_done = true;
        assert_eq!(draft.opener_step(None, role), Step::Quote);
        assert_eq!(draft.opener_step(Some(Step::Item), role), Step::Item);
        draft.reopen(Step::Party, Errors::new());
        assert_eq!(draft.opener_step(Some(Step::Quote), role), Step::Party);
        assert_eq!(draft.counterparty_step(Some(Step::Confirm)), Step::Party);
        draft.party_done = true;
        assert_eq!(draft.counterparty_step(Some(Step::Confirm)), Step::Confirm);
    }

    #[test]
    fn step_keys_round_trip() {
        for step in Step::ALL {
            assert_eq!(Step::parse(step.key()), Some(step));
        }
    }
}

//! What a user lets Ersal do through OAuth, and under which key Ersal keeps that permission:
//! post in one conversation (`CONVERSATION_SEND_MESSAGE.<conversation_id>`), put widgets on
//! one post (`POST_ADDON_CREATE.<post_token>`), or read and answer the chats of one post (the
//! seller's shipping assistant: `CHAT_POST_CONVERSATIONS_READ.<post_token>` and
//! `CHAT_POST_CONVERSATIONS_MESSAGE_SEND.<post_token>`). All are Divar's resource scopes
//! (docs/kenar.md, “OAuth”); a grant is stored under [`Grant::key`] and read back with
//! [`Grant::parse_key`], the one place that spelling lives.

use crate::ids::{ConversationId, PostToken};

/// A permission Ersal asks for, naming the resource it covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Grant {
    /// Post messages in this conversation.
    Conversation(ConversationId),
    /// Put Ersal's widgets on this post.
    PostAddon(PostToken),
    /// Hear the messages of this post's chats and answer shipping questions in them.
    Assistant(PostToken),
}

/// The prefix that tells a post's grant key from a conversation id (which cannot hold `:`
/// and a post token together with it: a post token is letters and digits only).
const POST_PREFIX: &str = "post:";
/// The same for the assistant's grant.
const ASSISTANT_PREFIX: &str = "assistant:";

impl Grant {
    /// The resource scopes Divar's consent screen grants.
    pub fn scopes(&self) -> Vec<String> {
        match self {
            Self::Conversation(id) => vec![format!("CONVERSATION_SEND_MESSAGE.{}", id.as_str())],
            Self::PostAddon(post) => vec![format!("POST_ADDON_CREATE.{}", post.as_str())],
            Self::Assistant(post) => vec![
                format!("CHAT_POST_CONVERSATIONS_READ.{}", post.as_str()),
                format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{}", post.as_str()),
            ],
        }
    }

    /// The key the grant is stored under: the conversation id, `post:<token>` or
    /// `assistant:<token>`.
    pub fn key(&self) -> String {
        match self {
            Self::Conversation(id) => id.as_str().to_owned(),
            Self::PostAddon(post) => format!("{POST_PREFIX}{}", post.as_str()),
            Self::Assistant(post) => format!("{ASSISTANT_PREFIX}{}", post.as_str()),
        }
    }

    /// The grant a stored key names.
    pub fn parse_key(key: &str) -> Option<Self> {
        if let Some(post) = key.strip_prefix(POST_PREFIX) {
            return PostToken::parse(post).ok().map(Self::PostAddon);
        }
        if let Some(post) = key.strip_prefix(ASSISTANT_PREFIX) {
            return PostToken::parse(post).ok().map(Self::Assistant);
        }
        ConversationId::parse(key).ok().map(Self::Conversation)
    }

    /// Whether Divar's answer, with its `scopes`, grants this: every one of its scopes named.
    /// An answer that does not name them is not taken on trust.
    pub fn is_granted_by(&self, scopes: &[String]) -> bool {
        self.scopes().iter().all(|scope| scopes.contains(scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(id: &str) -> Grant {
        Grant::Conversation(ConversationId::parse(id).unwrap())
    }

    fn post(token: &str) -> Grant {
        Grant::PostAddon(PostToken::parse(token).unwrap())
    }

    #[test]
    fn keys_round_trip() {
        let assistant = Grant::Assistant(PostToken::parse("QpR7x2Lm").unwrap());
        for grant in [conversation("c-1"), post("QpR7x2Lm"), assistant.clone()] {
            assert_eq!(Grant::parse_key(&grant.key()), Some(grant));
        }
        assert_eq!(post("QpR7x2Lm").key(), "post:QpR7x2Lm");
        assert_eq!(Grant::parse_key("post:not a token"), None);
        assert_eq!(assistant.key(), "assistant:QpR7x2Lm");
    }

    #[test]
    fn the_assistant_needs_both_of_its_scopes() {
        let assistant = Grant::Assistant(PostToken::parse("QpR7x2Lm").unwrap());
        let read = "CHAT_POST_CONVERSATIONS_READ.QpR7x2Lm".to_owned();
        let send = "CHAT_POST_CONVERSATIONS_MESSAGE_SEND.QpR7x2Lm".to_owned();
        assert!(assistant.is_granted_by(&[send.clone(), read.clone()]));
        assert!(!assistant.is_granted_by(std::slice::from_ref(&read)));
        assert!(!assistant.is_granted_by(&[send]));
    }

    #[test]
    fn only_an_answer_naming_the_scope_grants_it() {
        let scopes = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let chat = conversation("c-1");
        assert!(chat.is_granted_by(&scopes(&[
            "offline_access",
            "CONVERSATION_SEND_MESSAGE.c-1"
        ])));
        assert!(
            !chat.is_granted_by(&[]),
            "an empty scope is not taken on trust"
        );
        assert!(!chat.is_granted_by(&scopes(&["CONVERSATION_SEND_MESSAGE.c-2"])));
        assert!(!chat.is_granted_by(&scopes(&["offline_access"])));
        let widgets = post("QpR7x2Lm");
        assert!(widgets.is_granted_by(&scopes(&["POST_ADDON_CREATE.QpR7x2Lm"])));
        assert!(!widgets.is_granted_by(&scopes(&["POST_ADDON_CREATE.Xk29LmPq"])));
        assert!(!widgets.is_granted_by(&scopes(&["CONVERSATION_SEND_MESSAGE.QpR7x2Lm"])));
    }
}

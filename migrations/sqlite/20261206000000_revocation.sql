-- Whose grant a conversation's tokens are: the SHA-256 of the per-app Divar user id (from
-- `GET /v1/open-platform/users`), so that a `USER_ACCESS_REVOCATION` event finds and deletes
-- them. The id itself is not kept. Null for grants stored before, or when Divar named no user.
alter table chat_tokens add column user_digest text;
create index chat_tokens_by_user on chat_tokens (user_digest);

-- A grant is kept under its grant key: a conversation id, or `post:<token>` for a post's
-- widgets (kenar::Grant). The column was named for the first kind only.
alter table chat_tokens rename column conversation_id to grant_key;

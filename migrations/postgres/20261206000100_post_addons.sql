-- Ersal's widgets on a seller's post (docs/kenar.md, "Post add-ons"): the post token, where the
-- widgets stand, when the seller consented, and what the shown price came from (the size class
-- the seller chose, the tariff's fingerprint) so that a tariff change re-posts them. The grant
-- itself is a row of chat_tokens keyed 'post:<token>' (sealed, dropped when the widgets go).
create table post_addons (
    post_token      text primary key not null,
    -- 'adding' | 'on' | 'removing' | 'failed' (once the widgets are off, the row is deleted)
    state           text not null,
    size            text not null,
    tariff          text not null,
    consented_at    bigint not null,
    updated_at      bigint not null
);

-- What a consent is for: null (a chat message, as before) or 'addon:<size>'.
alter table oauth_states add column purpose text;

-- Landing sessions: one row per session-initialization request from Divar (or per opening of
-- the Fallback URL). The landing id handed to Divar is a one-time bearer token; only its
-- SHA-256 digest is stored.
create table landing_sessions (
    id_digest       text primary key not null,
    -- 1 or 2 for Divar's init versions; null for a Fallback-URL session
    api_version     integer,
    source          text not null,
    post_token      text,
    conversation_id text,
    -- 'SUPPLY', 'DEMAND', or null when Divar did not say
    user_side       text,
    -- Divar user ids, custom data and location, sealed (XChaCha20-Poly1305, bound to id_digest)
    private_sealed  blob not null,
    -- the resolved "back to Divar" target (a checked divar.ir URL or the completion URL)
    return_target   text not null,
    created_at      integer not null,
    expires_at      integer not null,
    -- set once, when the landing id is exchanged for a browser session
    used_at         integer
);

-- Browser sessions: the cookie a landing id is exchanged for. Again only the digest is kept.
create table browser_sessions (
    id_digest       text primary key not null,
    landing_digest  text not null references landing_sessions (id_digest) on delete cascade,
    created_at      integer not null,
    last_seen_at    integer not null
);

create index browser_sessions_landing on browser_sessions (landing_digest);

-- The PKCE verifier of a consent (KENAR_OAUTH_PKCE=on), sealed and bound to the state's
-- digest; null when PKCE is off. It goes when the state does (housekeeping).
alter table oauth_states add column pkce_verifier_sealed blob;

//! Standard Webhooks signatures: a secret is `whsec_` and the base64 of 32 random bytes; a
//! message is signed as `v1,` and the base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`.
//! During a rotation's overlap the header carries one signature per secret, space-separated.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::webhook::{SECRET_BYTES, SECRET_PREFIX};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// A new secret: as the endpoint's owner is shown it once, and its bytes.
pub fn new_secret() -> (String, Vec<u8>) {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    (format!("{SECRET_PREFIX}{}", STANDARD.encode(&bytes)), bytes)
}

/// One signature, `v1,<base64>`.
pub fn signature(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: a signature for each of `secrets`.
pub fn header(secrets: &[Vec<u8>], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| signature(secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example the Standard Webhooks reference libraries test against.
    #[test]
    fn signs_like_the_reference_libraries() {
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signed = signature(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_random_and_rotation_signs_twice() {
        let (shown, bytes) = new_secret();
        let (other, _) = new_secret();
        assert_ne!(shown, other);
        assert_eq!(
            STANDARD.decode(&shown[SECRET_PREFIX.len()..]).unwrap(),
            bytes
        );
        let both = header(&[bytes.clone(), vec![7; 32]], "msg_1", 5, b"{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], signature(&bytes, "msg_1", 5, b"{}"));
    }
}

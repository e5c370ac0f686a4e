//! The departments' private links to `tianbao serve`: one access token per department.
//!
//! A token is 128 bits made from a random nonce and the department with the campaign's signing
//! secret (HMAC-SHA256, the key that already signs every workbook and never leaves
//! `tianbao.toml`). The store keeps only the nonce and the token's SHA-256: a copy of
//! `tianbao.db` alone opens nothing, while the office (which holds `tianbao.toml`) can show a
//! department's link again at any time (`tianbao serve --links`) and write it into the notices.
//! A token is checked by its SHA-256 and then made again from its nonce and department and
//! compared in constant time, so a row whose department was edited opens nothing. Revoking a
//! department's token issues a new one; the old link stops working at once.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::campaign::Campaign;
use crate::store::{Store, StoreError, Token};

type HmacSha256 = hmac::Hmac<Sha256>;

/// The path of a department's page under the server's address.
pub const DEPARTMENT_PATH: &str = "/d/";

/// The store setting that holds the address departments reach the server at.
pub const URL_SETTING: &str = "serve.url";

/// A department's token in force, with the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub department: String,
    /// The token's id in the store (upload receipts name it).
    pub id: i64,
    pub token: String,
}

impl Link {
    /// The department's page at `base` (`http://pc-01:8080`).
    pub fn url(&self, base: &str) -> String {
        format!(
            "{}{DEPARTMENT_PATH}{}",
            base.trim_end_matches('/'),
            self.token
        )
    }
}

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot get random bytes from the system for a token: {0}")]
    Random(String),
}

/// Random bytes in hex.
pub fn random_hex(bytes: usize) -> Result<String, AccessError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AccessError::Random(e.to_string()))?;
    Ok(crate::digest::hex(&buf))
}

/// The token of `department` made from `nonce` with the campaign's `secret`: 32 hex digits.
pub fn token_of(secret: &str, nonce: &str, department: &str) -> String {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"tianbao department token\0");
    mac.update(nonce.as_bytes());
    mac.update(b"\0");
    mac.update(department.as_bytes());
    let bytes = mac.finalize().into_bytes();
    crate::digest::hex(&bytes[..16])
}

/// The SHA-256 the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    crate::digest::sha256_hex(token.as_bytes())
}

/// Whether `text` has the form of a token (so that nothing else reaches the store).
pub fn looks_like_token(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Equal in constant time (for secrets of the same length; lengths are not secret).
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn link_of(secret: &str, token: &Token) -> Link {
    Link {
        department: token.department.clone(),
        id: token.id,
        token: token_of(secret, &token.nonce, &token.department),
    }
}

/// Issues a new token for `department` (its earlier ones revoked).
pub fn issue(store: &Store, secret: &str, department: &str, at: &str) -> Result<Link, AccessError> {
    store.revoke_tokens(department, at)?;
    let nonce = random_hex(16)?;
    let token = token_of(secret, &nonce, department);
    let id = store.add_token(department, &nonce, &token_hash(&token), at)?;
    Ok(Link {
        department: department.to_string(),
        id,
        token,
    })
}

/// The links in force of `departments`, in their order, issuing a token for each that has none.
pub fn ensure(
    store: &Store,
    secret: &str,
    departments: &[&str],
    at: &str,
) -> Result<Vec<Link>, AccessError> {
    let active = store.active_tokens()?;
    let mut links = Vec::with_capacity(departments.len());
    for department in departments {
        match active.iter().find(|t| t.department == *department) {
            Some(token) => links.push(link_of(secret, token)),
            None => links.push(issue(store, secret, department, at)?),
        }
    }
    Ok(links)
}

/// The links in force, without issuing any.
pub fn links(store: &Store, secret: &str) -> Result<Vec<Link>, AccessError> {
    Ok(store
        .active_tokens()?
        .iter()
        .map(|t| link_of(secret, t))
        .collect())
}

/// The department a token opens, if it is one in force: looked up by its SHA-256, then made
/// again from its nonce and compared in constant time.
pub fn verify(store: &Store, secret: &str, token: &str) -> Result<Option<Link>, AccessError> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    let Some(row) = store.token_by_hash(&token_hash(token))? else {
        return Ok(None);
    };
    let expected = token_of(secret, &row.nonce, &row.department);
    Ok(same_secret(expected.as_bytes(), token.as_bytes()).then(|| link_of(secret, &row)))
}

/// The departments' page addresses to print in the notices and on the sending list: only
/// when `tianbao serve` has run on the campaign (its address is kept) and a department has a
/// token. Empty otherwise, or when the store cannot be read.
pub fn notice_links(campaign: &Campaign) -> Vec<(String, String)> {
    let path = campaign.store_path();
    if !path.exists() {
        return Vec::new();
    }
    let Ok(store) = Store::open(&path) else {
        return Vec::new();
    };
    let Ok(Some(base)) = store.setting(URL_SETTING) else {
        return Vec::new();
    };
    links(&store, &campaign.config.secret)
        .unwrap_or_default()
        .into_iter()
        .map(|l| (l.department.clone(), l.url(&base)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_made_again_from_the_store_and_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("tianbao.db")).unwrap();
        let secret = "ab".repeat(32);
        let links = ensure(&store, &secret, &["水科", "大气科"], "t1").unwrap();
        assert_eq!(links.len(), 2);
        assert!(looks_like_token(&links[0].token));
        assert_ne!(links[0].token, links[1].token);
        // The same links again, without new tokens.
        assert_eq!(
            ensure(&store, &secret, &["水科", "大气科"], "t2").unwrap(),
            links
        );
        // The store holds no token.
        for t in store.active_tokens().unwrap() {
            assert!(
                links
                    .iter()
                    .all(|l| l.token != t.hash && l.token != t.nonce)
            );
        }
        let found = verify(&store, &secret, &links[0].token).unwrap().unwrap();
        assert_eq!(found.department, "水科");
        // Another secret, a wrong token, garbage: nothing.
        assert_eq!(
            verify(&store, &"cd".repeat(32), &links[0].token).unwrap(),
            None
        );
        assert_eq!(verify(&store, &secret, &"0".repeat(32)).unwrap(), None);
        assert_eq!(verify(&store, &secret, "../../etc/passwd").unwrap(), None);
        // Revoked: the old link opens nothing, the new one does.
        let new = issue(&store, &secret, "水科", "t3").unwrap();
        assert_eq!(verify(&store, &secret, &links[0].token).unwrap(), None);
        assert_eq!(
            verify(&store, &secret, &new.token)
                .unwrap()
                .unwrap()
                .department,
            "水科"
        );
        assert_eq!(
            new.url("http://pc:8080/"),
            format!("http://pc:8080/d/{}", new.token)
        );
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
    }
}

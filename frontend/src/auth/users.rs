//! The users who may log in: names with Argon2 password hashes, from
//! `FRONTEND_USERS` (`alice:$argon2id$…;bob:$argon2id$…`).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Longest accepted user name and password. A bound on the password keeps
/// an attacker from making each login attempt hash megabytes.
pub const MAX_USERNAME_CHARS: usize = 64;
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Users {
    /// User name → PHC string (checked to parse at start-up).
    hashes: HashMap<String, String>,
}

impl std::fmt::Debug for Users {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: hashes are offline-crackable secrets.
        let mut names: Vec<&String> = self.hashes.keys().collect();
        names.sort();
        f.debug_struct("Users").field("names", &names).finish()
    }
}

impl FromStr for Users {
    type Err = String;

    /// Never includes a hash in an error: the value is a secret.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut hashes = HashMap::new();
        for (index, entry) in s.split(';').map(str::trim).enumerate() {
            let position = index + 1;
            if entry.is_empty() {
                continue;
            }
            let (name, hash) = entry
                .split_once(':')
                .ok_or_else(|| format!("entry {position} is not `name:hash`"))?;
            let name = name.trim();
            if name.is_empty()
                || name.chars().count() > MAX_USERNAME_CHARS
                || name.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(format!(
                    "entry {position}: a user name is 1 to {MAX_USERNAME_CHARS} characters without spaces"
                ));
            }
            let parsed = PasswordHash::new(hash.trim()).map_err(|_| {
                format!("entry {position} ({name}): the hash is not a PHC string (use `frontend hash-password`)")
            })?;
            if !parsed.algorithm.as_str().starts_with("argon2") {
                return Err(format!(
                    "entry {position} ({name}): the hash is not an Argon2 hash"
                ));
            }
            if hashes
                .insert(name.to_owned(), hash.trim().to_owned())
                .is_some()
            {
                return Err(format!("user {name} is listed twice"));
            }
        }
        Ok(Self { hashes })
    }
}

impl Users {
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.hashes.contains_key(name)
    }

    /// Whether `password` is `name`'s. CPU-heavy (tens of ms): call from a
    /// blocking thread. An unknown name costs the same as a wrong password,
    /// so response times do not tell which names exist.
    pub fn verify(&self, name: &str, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_BYTES {
            return false;
        }
        match self.hashes.get(name) {
            Some(hash) => Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok(),
            None => {
                let _ = Argon2::default().verify_password(password.as_bytes(), decoy_hash());
                false
            }
        }
    }
}

/// A hash of a random password, verified against for unknown user names.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let password: [u8; 16] = rand::random();
        hash_password(&password).unwrap_or_default()
    })
}

/// A PHC string for `password` with a fresh random salt (Argon2id with the
/// crate's default, OWASP-recommended parameters).
pub fn hash_password(password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default().hash_password(password)?.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn users_parse_and_verify() {
        let alice = hash_password(b"correct horse").unwrap();
        let bob = hash_password(b"battery staple").unwrap();
        let users: Users = format!(" alice:{alice} ; bob:{bob};").parse().unwrap();
        assert!(users.verify("alice", "correct horse"));
        assert!(!users.verify("alice", "battery staple"));
        assert!(users.verify("bob", "battery staple"));
        assert!(!users.verify("carol", "correct horse"));
        assert!(!format!("{users:?}").contains("argon2"));
        assert!(
            "".parse::<Users>().unwrap().is_empty(),
            "unset means nobody"
        );
    }

    #[test]
    fn bad_entries_are_named_without_the_hash() {
        let alice = hash_password(b"pw").unwrap();
        for (bad, says) in [
            ("alice".to_owned(), "entry 1"),
            ("alice:plaintext".to_owned(), "PHC"),
            (format!("alice:{alice};alice:{alice}"), "twice"),
            (format!("al ice:{alice}"), "user name"),
            (
                "bob:$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E".to_owned(),
                "Argon2",
            ),
        ] {
            let err = bad.parse::<Users>().unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(!err.contains("$argon2"), "{err}");
        }
    }
}

//! `frontend hash-password`: read a password from standard input, print its
//! Argon2id hash for `FRONTEND_USERS` (`make hash-password` runs it).

use std::io::{BufRead, IsTerminal, Write};

use crate::auth::{MAX_PASSWORD_BYTES, hash_password};

pub fn run() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (input is shown; pipe it in to avoid that): ");
        std::io::stderr().flush()?;
    }
    let mut password = String::new();
    stdin.lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        anyhow::bail!("the password is empty");
    }
    if password.len() > MAX_PASSWORD_BYTES {
        anyhow::bail!("the password is longer than {MAX_PASSWORD_BYTES} bytes");
    }
    let hash =
        hash_password(password.as_bytes()).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{hash}")?;
    Ok(())
}

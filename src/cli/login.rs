//! `regscope login HOST [-u USER] [--password-stdin]` and `regscope logout HOST`: the
//! credentials every regscope command (and Docker, crane, skopeo) then uses, stored as
//! Docker stores them (`registry::credential_store`). A password is checked against the
//! registry before it is stored, so a typo is refused instead of saved.

use super::output::{usage, EXIT_OK};
use crate::registry::credential_store::{self, StoredIn};
use crate::registry::credentials::Credential;
use crate::registry::distribution::{ClientOptions, DistributionClient};
use crate::registry::Target;
use anyhow::{anyhow, Result};
use std::io::{IsTerminal, Read, Write};

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The registry: HOST[:PORT] or a [[registry]] name.
    pub host: String,
    /// The user name (asked on the terminal when not given).
    #[arg(long, short = 'u')]
    pub username: Option<String>,
    /// Read the password or token from stdin (one line; for scripts and CI).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// The registry: HOST[:PORT] or a [[registry]] name.
    pub host: String,
}

pub fn run_login(args: LoginArgs) -> Result<i32> {
    let (host, settings) = registry_host("login", &args.host)?;
    let username = match args.username {
        Some(u) if !u.is_empty() => u,
        Some(_) => return Err(usage("the user name is empty")),
        None => prompt_line("Username: ")?,
    };
    let password = if args.password_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| usage(format!("cannot read the password from stdin: {e}")))?;
        s.trim_end_matches(['\n', '\r']).to_string()
    } else {
        prompt_secret("Password: ")?
    };
    if password.is_empty() {
        return Err(usage("the password is empty"));
    }
    let rt = tokio::runtime::Runtime::new()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))?;
    rt.block_on(async {
        let client = DistributionClient::with_options(
            &host,
            &settings,
            ClientOptions {
                credential: Some(Credential::Basic {
                    username: username.clone(),
                    password: password.clone(),
                }),
                ..ClientOptions::default()
            },
        )
        .map_err(|e| anyhow!("{e}"))?;
        client
            .check_credentials()
            .await
            .map_err(|e| anyhow!("login to {host} refused, nothing stored: {e}"))?;
        let stored = credential_store::store(&host, &username, &password, None)
            .await
            .map_err(|e| anyhow!("{host} accepted the credentials but they could not be stored: {e}"))?;
        if let StoredIn::File(_) = stored {
            if !super::flags::quiet() {
                eprintln!(
                    "note: the password is stored unencrypted (base64) in {stored}; configure a credsStore to keep it in a keychain"
                );
            }
        }
        println!("Login Succeeded: {username} on {host} (stored in {stored})");
        Ok(EXIT_OK)
    })
}

pub fn run_logout(args: LogoutArgs) -> Result<i32> {
    let (host, _) = registry_host("logout", &args.host)?;
    let rt = tokio::runtime::Runtime::new()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))?;
    match rt.block_on(credential_store::erase(&host, None)) {
        Ok(Some(from)) => {
            println!("Removed the credentials for {host} from {from}");
            Ok(EXIT_OK)
        }
        Ok(None) => {
            let file = credential_store::config_file(None).map_err(|e| anyhow!(e))?;
            println!(
                "Not logged in to {host} (nothing stored in {})",
                file.display()
            );
            Ok(EXIT_OK)
        }
        Err(e) => Err(anyhow!("cannot log out of {host}: {e}")),
    }
}

/// The registry host of a HOST or `[[registry]]` name argument, with its settings; a
/// target with a path, a scheme or a kind that signs in another way is a usage error.
/// A word that does not look like a registry (`regscope login myuser`, `regscope login
/// repos`) is refused here, before any prompt or connection.
fn registry_host(command: &str, arg: &str) -> Result<(String, crate::config::RegistrySettings)> {
    let configured: Vec<String> = crate::config::RegistryConfig::discover()
        .registries
        .into_iter()
        .map(|r| r.name)
        .collect();
    if !super::words::looks_like_target(arg, &configured) {
        let commands = super::command_names(&super::command());
        return Err(usage(super::words::not_a_registry(command, arg, &commands)));
    }
    let (target, settings) = super::source::resolve_target(arg).map_err(usage)?;
    match target {
        Target::Distribution { host, prefix: None } => Ok((host, settings)),
        Target::Distribution { host, .. } => Err(usage(format!(
            "log in to a registry host, not a repository: regscope login {host}"
        ))),
        Target::Ecr { .. } => Err(usage(
            "ECR takes AWS credentials (profile, environment, SSO), not a login: regscope reads them directly",
        )),
        Target::Layout { .. } => Err(usage("a local oci: directory needs no login")),
    }
}

fn prompt_line(prompt: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "give the user name with -u USER (stdin is not a terminal)",
        ));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| usage(format!("cannot read the user name: {e}")))?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(usage("the user name is empty"));
    }
    Ok(line)
}

/// Reads a line from the terminal without echoing it.
fn prompt_secret(prompt: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "stdin is not a terminal: pipe the password with --password-stdin",
        ));
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let _echo = EchoOff::new();
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    eprintln!();
    read.map_err(|e| usage(format!("cannot read the password: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Turns terminal echo off on stdin until dropped.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> Self {
        // SAFETY: termios is plain data; tcgetattr fills it or fails, checked below.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } != 0 {
            return EchoOff(None);
        }
        let saved = t;
        t.c_lflag &= !libc::ECHO;
        // SAFETY: a termios read from this terminal, with one flag cleared.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) };
        EchoOff(Some(saved))
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t) };
        }
    }
}

//! Copying to the clipboard: a system tool when one is installed, otherwise the terminal's
//! OSC 52 sequence (works over SSH and in tmux with `set-clipboard on`).

use crate::app::msg::Msg;
use base64::Engine;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedSender;

const TOOLS: &[(&str, &[&str])] = &[
    ("wl-copy", &[]),
    ("xclip", &["-selection", "clipboard"]),
    ("xsel", &["--clipboard", "--input"]),
    ("pbcopy", &[]),
];

/// The escape sequence that asks the terminal to set the clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

async fn try_tool(cmd: &str, args: &[&str], text: &str) -> bool {
    let child = tokio::process::Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        if stdin.write_all(text.as_bytes()).await.is_err() {
            return false;
        }
    }
    matches!(child.wait().await, Ok(s) if s.success())
}

pub async fn copy(text: String, tx: UnboundedSender<Msg>) {
    let has_display = std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
        || cfg!(target_os = "macos");
    if has_display {
        for (cmd, args) in TOOLS {
            if try_tool(cmd, args, &text).await {
                let _ = tx.send(Msg::Flash {
                    text: format!("copied {text} ({cmd})"),
                    error: false,
                });
                return;
            }
        }
    }
    let _ = tx.send(Msg::Osc52(osc52(&text)));
    let _ = tx.send(Msg::Flash {
        text: format!("copied {text} (OSC 52)"),
        error: false,
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_is_base64_in_the_sequence() {
        assert_eq!(super::osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}

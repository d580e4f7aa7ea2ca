//! `regscope completion SHELL`: a completion script generated from the same clap
//! definitions as the parser, so it never lists a flag the program does not take.

use clap_complete::Shell;

#[derive(Debug, clap::Args)]
pub struct CompletionArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionArgs) -> anyhow::Result<i32> {
    let mut out = Vec::new();
    script(args.shell, &mut out);
    super::output::print_stdout(&String::from_utf8_lossy(&out));
    Ok(super::output::EXIT_OK)
}

/// The completion script for `shell`.
pub fn script(shell: Shell, out: &mut Vec<u8>) {
    let mut cmd = super::command();
    clap_complete::generate(shell, &mut cmd, "regscope", out);
}

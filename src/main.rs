//! The `tianbao` binary: parse the command line, run the subcommand, map the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or fatal error).

mod cmd;

fn main() -> std::process::ExitCode {
    cmd::main()
}

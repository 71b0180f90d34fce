//! Values that util-linux takes wrongly and nsbox refuses: ids beyond 32
//! bits, of which util-linux keeps the low 32 (so 4294967296 is 0, root),
//! and a negative descriptor that util-linux ignores along with its option.

use super::*;

/// `-S 4294967296` is uid 0 to util-linux (strtoul, then a cast to uid_t):
/// a typo that runs the program as root. Refused here.
#[test]
fn ids_beyond_32_bits() {
    let env = Env::new();
    let target = Target::new(&["uts"]);
    let pid = target.pid().to_string();
    for (option, what) in [("-S", "uid"), ("-G", "gid")] {
        nsenter(&env)
            .args(["-t", &pid, "-u", option, "4294967296", "echo", "ran"])
            .run()
            .code(1)
            .stdout_is("")
            .stderr_is(&format!(
                "nsenter: failed to parse {what}: '4294967296': Numerical result out of range\n\
                 Try 'nsenter --help' for more information.\n"
            ));
    }
    ul_nsenter()
        .args(["-t", &pid, "-u", "-S", "4294967296", "-G", "4294967297"])
        .args(["sh", "-c", "id -u; id -g"])
        .run()
        .success()
        .stdout_is("0\n1\n");
}

/// `-N -1`: util-linux 2.42 takes any number up to INT_MAX (its lower
/// bound of 0 means "none"), and a descriptor of -1 then means no -N at
/// all, so the program runs in the target's own network namespace, or in
/// ours. Refused here.
#[test]
fn negative_socket_descriptor() {
    let env = Env::new();
    let target = Target::new(&["net"]);
    nsenter(&env)
        .args(["-t", &target.pid().to_string(), "-N", "-1", "echo", "ran"])
        .run()
        .code(1)
        .stdout_is("")
        .stderr_is(
            "nsenter: failed to parse file descriptor: '-1'\n\
             Try 'nsenter --help' for more information.\n",
        );
}

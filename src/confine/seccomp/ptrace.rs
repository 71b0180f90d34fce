//! The ptrace(2) side of reading a process's seccomp filters: attach
//! without stopping it (PTRACE_SEIZE), stop it (PTRACE_INTERRUPT), read
//! its filters, and let it go as it was, whatever happens in between.

use nix::errno::Errno;

/// Not in libc: <linux/ptrace.h>.
const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;
const PTRACE_SECCOMP_GET_METADATA: libc::c_uint = 0x420d;

/// `struct seccomp_metadata` of <linux/ptrace.h>.
#[repr(C)]
struct Metadata {
    filter_off: u64,
    flags: u64,
}

/// Where the tracee is, as far as we know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Attached, maybe not stopped: PTRACE_DETACH would fail.
    Running,
    /// In a ptrace-stop. `signal` is the signal whose delivery the stop
    /// caught (0 for our interrupt or a group-stop): it goes back on detach,
    /// or the process would never see it.
    Stopped { signal: libc::c_int },
    /// Detached, or ended (and its end, waited for by us as its tracer,
    /// handed on to its parent).
    Released,
}

/// A process we trace. Dropping it detaches: the process goes on as it
/// was, running, or stopped if it was in a group-stop. If we are killed
/// meanwhile, the kernel detaches it the same way.
#[derive(Debug)]
pub struct Seized {
    pid: libc::pid_t,
    state: State,
}

fn ptrace(
    request: libc::c_uint,
    pid: libc::pid_t,
    addr: usize,
    data: *mut libc::c_void,
) -> nix::Result<libc::c_long> {
    // SAFETY: every request used here either takes no pointer, or a `data`
    // pointer that the caller makes valid for what that request writes.
    Errno::result(unsafe { libc::ptrace(request as _, pid, addr as *mut libc::c_void, data) })
}

impl Seized {
    /// Attach to `pid` without stopping it, and with no options: nothing
    /// of its behaviour changes until `stop`.
    pub fn seize(pid: libc::pid_t) -> nix::Result<Seized> {
        ptrace(libc::PTRACE_SEIZE as _, pid, 0, std::ptr::null_mut())?;
        Ok(Seized {
            pid,
            state: State::Running,
        })
    }

    /// Stop it, as the seccomp requests need: Ok(false) when it ended
    /// instead.
    pub fn stop(&mut self) -> nix::Result<bool> {
        ptrace(
            libc::PTRACE_INTERRUPT as _,
            self.pid,
            0,
            std::ptr::null_mut(),
        )?;
        self.wait()
    }

    /// Wait for its next stop or its end: Ok(true) when stopped.
    fn wait(&mut self) -> nix::Result<bool> {
        let mut status = 0;
        loop {
            // SAFETY: waitpid writes the status to the int we pass.
            let ret = unsafe { libc::waitpid(self.pid, &mut status, libc::__WALL) };
            if ret == -1 {
                match Errno::last() {
                    Errno::EINTR => continue,
                    errno => {
                        // ECHILD: it is not our tracee any more.
                        self.state = State::Released;
                        return Err(errno);
                    }
                }
            }
            if libc::WIFSTOPPED(status) {
                // Attached by PTRACE_SEIZE, an event (our interrupt, a
                // group-stop) shows in the high bits; none means a stop for
                // the delivery of the signal WSTOPSIG.
                let signal = if status >> 16 == 0 {
                    libc::WSTOPSIG(status)
                } else {
                    0
                };
                self.state = State::Stopped { signal };
                return Ok(true);
            }
            if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
                self.state = State::Released;
                return Ok(false);
            }
        }
    }

    /// The instructions of filter `index` (0 is the oldest), or ENOENT past
    /// the newest.
    pub fn filter(&self, index: usize) -> nix::Result<Vec<libc::sock_filter>> {
        let len = ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            self.pid,
            index,
            std::ptr::null_mut(),
        )?;
        let empty = libc::sock_filter {
            code: 0,
            jt: 0,
            jf: 0,
            k: 0,
        };
        let mut insns = vec![empty; len as usize];
        // The kernel writes `len` instructions: a filter never changes.
        let got = ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            self.pid,
            index,
            insns.as_mut_ptr().cast(),
        )?;
        insns.truncate(got as usize);
        Ok(insns)
    }

    /// The flags of filter `index` that the kernel remembers (only
    /// SECCOMP_FILTER_FLAG_LOG, up to Linux 6.18).
    pub fn flags(&self, index: usize) -> nix::Result<u64> {
        let mut metadata = Metadata {
            filter_off: index as u64,
            flags: 0,
        };
        ptrace(
            PTRACE_SECCOMP_GET_METADATA,
            self.pid,
            std::mem::size_of::<Metadata>(),
            (&mut metadata as *mut Metadata).cast(),
        )?;
        Ok(metadata.flags)
    }

    /// Detach, passing back any signal our stop caught. PTRACE_DETACH
    /// needs the tracee stopped: if it is not (not yet, or no longer,
    /// having been killed), stop it first or see it end.
    fn release(&mut self) {
        loop {
            match self.state {
                State::Released => return,
                State::Stopped { signal } => {
                    let data = signal as usize as *mut libc::c_void;
                    self.state = match ptrace(libc::PTRACE_DETACH as _, self.pid, 0, data) {
                        Ok(_) => State::Released,
                        // Killed while stopped: it is on its way out.
                        Err(_) => State::Running,
                    };
                }
                State::Running => {
                    let _ = ptrace(
                        libc::PTRACE_INTERRUPT as _,
                        self.pid,
                        0,
                        std::ptr::null_mut(),
                    );
                    // An error leaves it Released: nothing of ours to undo.
                    let _ = self.wait();
                }
            }
        }
    }
}

impl Drop for Seized {
    fn drop(&mut self) {
        self.release();
    }
}

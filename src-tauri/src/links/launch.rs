//! The launch's own arguments: taken out of the command line as the app
//! starts (a link holds a key), and handed to the Watchword already
//! running when there is one.

use super::Args;
use zeroize::{Zeroize, Zeroizing};

/// One argument as text. Lossy: a name that is not UTF-8 is then a file
/// not found, said as such (`std::env::args` would panic on it); the
/// bytes it was read from are wiped.
fn text_of(arg: std::ffi::OsString) -> String {
    arg.into_string().unwrap_or_else(|arg| {
        let text = arg.to_string_lossy().into_owned();
        #[cfg(unix)]
        std::os::unix::ffi::OsStringExt::into_vec(arg).zeroize();
        text
    })
}

/// What the app was started with (its name left out), taken out of the
/// process first thing: an `otpauth://` link holds a key, and the command
/// line of a process (`/proc/PID/cmdline`) is readable by every user of the
/// machine for as long as it runs, and copied by whatever reads it (the
/// D-Bus daemon names a process by it in the journal; GTK reads it at
/// start). On Linux the arguments are then wiped where the kernel reads
/// them, so Tauri's own copy (`App::env`) holds empty strings too; a
/// second launch hands its arguments over itself ([`hand_over`]).
pub fn take_command_line() -> Args {
    let mut all = std::env::args_os();
    // Where the arguments start: after the program's name and its NUL.
    let name_length = all.next().map_or(0, |name| name.len() + 1);
    let args: Args = Zeroizing::new(all.map(text_of).collect());
    #[cfg(target_os = "linux")]
    if !args.is_empty() {
        if let Err(error) = scrub_command_line(name_length) {
            // The error names no argument.
            eprintln!("watchword: warning: could not wipe the command line: {error}");
        }
    }
    args
}

/// What became of the arguments a launch was given.
#[cfg(target_os = "linux")]
#[derive(Debug, PartialEq, Eq)]
pub enum HandOver {
    /// The running Watchword took them: this launch is done.
    Taken,
    /// None runs (or there was nothing to hand over): this launch goes on
    /// as the one.
    NoneRunning,
    /// One runs but did not take them, twice (it is quitting, or hung): the
    /// arguments cannot reach it, and a second Watchword must not start.
    NotAnswering,
}

/// Said when a running Watchword would not take the arguments.
pub const NOT_ANSWERING: &str = "Watchword is running but did not answer; \
     open the link or file again once it has started or closed";

/// How long a running Watchword has to take the arguments, each time.
#[cfg(target_os = "linux")]
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Hands `args` to the Watchword already running, as single-instance would
/// (its D-Bus name, object and method: `ExecuteCallback(argv, cwd)`), which
/// can no longer read them from the wiped command line. One that refuses
/// them is asked again a moment later: it may be quitting, and once its
/// name is gone this launch is the one. One that does not answer within
/// [`ANSWER_WITHIN`] is not asked again: it may be slow rather than gone. Without arguments there is nothing
/// to hand over: single-instance brings the window forward as usual.
#[cfg(target_os = "linux")]
pub fn hand_over(identifier: &str, args: &Args) -> HandOver {
    if args.is_empty() {
        return HandOver::NoneRunning;
    }
    let name = format!("{identifier}.SingleInstance");
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    let Ok(connection) = zbus::blocking::connection::Builder::session()
        .map(|builder| builder.method_timeout(ANSWER_WITHIN))
        .and_then(|builder| builder.build())
    else {
        return HandOver::NoneRunning;
    };
    let running = || {
        zbus::names::BusName::try_from(name.as_str())
            .ok()
            .and_then(|bus_name| {
                zbus::blocking::fdo::DBusProxy::new(&connection)
                    .ok()?
                    .name_has_owner(bus_name)
                    .ok()
            })
            .unwrap_or(false)
    };
    // The callback leaves the first out, as the program's name.
    let argv: Args = Zeroizing::new(
        std::iter::once("watchword".to_owned())
            .chain(args.iter().cloned())
            .collect(),
    );
    let cwd = std::env::current_dir()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    for attempt in 0..2 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        if !running() {
            return HandOver::NoneRunning;
        }
        let taken = connection.call_method(
            Some(name.as_str()),
            path.as_str(),
            Some("org.SingleInstance.DBus"),
            "ExecuteCallback",
            &(&*argv, cwd.as_str()),
        );
        match taken {
            Ok(_) => return HandOver::Taken,
            // No answer in time: it may still take them, and asked again
            // it would open them twice. Only a refusal (an error reply:
            // the callback never ran) is worth asking again.
            Err(zbus::Error::InputOutput(error))
                if error.kind() == std::io::ErrorKind::TimedOut =>
            {
                return HandOver::NotAnswering;
            }
            Err(_) => {}
        }
    }
    HandOver::NotAnswering
}

/// Overwrites the arguments after the program's name (`name_length`
/// bytes, its NUL included) with zeros, where the kernel reads
/// `/proc/self/cmdline` from (the start and end of that area are fields 48
/// and 49 of `/proc/self/stat`; proc(5)). Writing through `/proc/self/mem`
/// needs no unsafe code and no privilege while the process is dumpable.
/// The command line itself is never read here: a read would leave copies
/// of the key behind in memory.
#[cfg(target_os = "linux")]
fn scrub_command_line(name_length: usize) -> std::io::Result<()> {
    use std::io::{Error, ErrorKind, Seek, SeekFrom, Write};
    let bad = || Error::new(ErrorKind::InvalidData, "an unexpected /proc/self/stat");
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The command's name, in parentheses, may hold spaces: fields are
    // counted from the last ')' on, which is followed by field 3.
    let (_, rest) = stat.rsplit_once(')').ok_or_else(bad)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or_else(bad)
    };
    let (start, end) = (field(48)?, field(49)?);
    let name = u64::try_from(name_length).map_err(|_| bad())?;
    let Some(length) = end.checked_sub(start + name).filter(|&n| n > 0) else {
        return Ok(());
    };
    let length = usize::try_from(length).map_err(|_| bad())?;
    let mut memory = std::fs::OpenOptions::new()
        .write(true)
        .open("/proc/self/mem")?;
    memory.seek(SeekFrom::Start(start + name))?;
    memory.write_all(&vec![0; length])
}

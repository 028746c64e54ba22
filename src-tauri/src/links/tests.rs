use super::*;

#[test]
fn links_files_and_options_are_told_apart() {
    let cwd = std::env::temp_dir();
    let link = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP";
    assert_eq!(classify(link, &cwd), Opened::Link(link.to_owned()));
    let upper = "OTPAUTH-MIGRATION://offline?data=AA";
    assert_eq!(classify(upper, &cwd), Opened::Link(upper.to_owned()));
    // Not looked for as a file, even where a file of that name exists.
    let named = cwd.join(format!("otpauth:{}", std::process::id()));
    std::fs::write(&named, "").expect("a file named like a link");
    let arg = named.file_name().and_then(|n| n.to_str()).expect("a name");
    assert_eq!(classify(arg, &cwd), Opened::Link(arg.to_owned()));
    std::fs::remove_file(&named).expect("removed");
    // Any other scheme is the preview's to name.
    assert_eq!(
        classify("https://example.com", &cwd),
        Opened::Link("https://example.com".to_owned())
    );
    assert_eq!(
        classify("file:///tmp/shot%20one.png", &cwd),
        Opened::File(PathBuf::from("/tmp/shot one.png"))
    );
    assert_eq!(
        classify("shot.png", Path::new("/home/me")),
        Opened::File(PathBuf::from("/home/me/shot.png"))
    );
    assert_eq!(
        classify("/abs/backup.json", Path::new("/home/me")),
        Opened::File(PathBuf::from("/abs/backup.json"))
    );
    // A drive letter is no scheme; an odd first character neither.
    assert_eq!(
        classify("C:backup.json", Path::new("/x")),
        Opened::File(PathBuf::from("/x/C:backup.json"))
    );
    assert_eq!(
        classify("1x:y", Path::new("/x")),
        Opened::File(PathBuf::from("/x/1x:y"))
    );
    assert_eq!(classify("--frobnicate", &cwd), Opened::UnknownOption);
    assert_eq!(classify("--tray", &cwd), Opened::Tray);
}

fn note_of(input: &Input) -> (String, String) {
    match input {
        Input::Unusable(note) => (note.source.clone(), note.message.clone()),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn only_regular_files_are_read_and_a_missing_one_is_not_named() {
    let dir = tempfile::tempdir().expect("a folder");
    // A named pipe: opening it would wait for a writer for ever.
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (source, message) = note_of(&file_input(&fifo));
    assert_eq!(source, "pipe");
    assert!(message.contains("a pipe"), "{message}");
    let (_, message) = note_of(&file_input(dir.path()));
    assert!(message.contains("a folder"), "{message}");
    // Not there: never named by its text, which may be a mistyped link.
    let typo = dir.path().join("otpauth:totp/A:b?secret=JBSWY3DPEHPK3PXP");
    let (source, message) = note_of(&file_input(&typo));
    assert_eq!(source, "A file given to Watchword");
    assert!(!format!("{source}{message}").contains("JBSWY3DP"));
    // Named from a folder that is not known (gone before the launch
    // could tell it): never looked for in Watchword's own folder.
    let (inputs, _) = inputs_of(&["backup.json".to_owned()], Path::new(""));
    let (source, message) = note_of(&inputs[0]);
    assert_eq!(source, "A file given to Watchword");
    assert!(message.contains("give the file's full path"), "{message}");
    // And text with secret= is taken as a link in the first place.
    assert!(matches!(
        classify(" otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", dir.path()),
        Opened::Link(_)
    ));
    // Not looked for as a file at all (the look-up would show the key to
    // the system): even where a file of that name is there.
    let named = "totp?Secret=JBSWY3DPEHPK3PXP";
    std::fs::write(dir.path().join(named), "").expect("a file named so");
    assert!(matches!(classify(named, dir.path()), Opened::Link(_)));
}

#[test]
fn links_beside_quick_or_tray_are_shown_in_the_window() {
    let launch =
        |args: &[&str]| launch_of(&args.iter().map(|&arg| arg.to_owned()).collect::<Vec<_>>());
    assert_eq!(launch(&[]), Launch::Window);
    assert_eq!(launch(&["--tray"]), Launch::Tray);
    assert_eq!(launch(&["--quick"]), Launch::Quick);
    assert_eq!(launch(&["--tray", "--quick"]), Launch::Quick);
    assert_eq!(launch(&["--quick", "otpauth://totp/x"]), Launch::Window);
    assert_eq!(launch(&["--tray", "shot.png"]), Launch::Window);
    assert_eq!(launch(&["--frobnicate", "--tray"]), Launch::Window);
}

#[test]
fn a_flood_of_arguments_is_cut_with_a_count() {
    let args: Vec<String> = (0..40).map(|i| format!("otpauth://x{i}")).collect();
    let (inputs, ignored) = inputs_of(&args, Path::new("/"));
    assert_eq!(inputs.len(), MOST_AT_ONCE);
    assert_eq!(
        ignored,
        Ignored {
            unknown: 0,
            beyond: 8
        }
    );
    assert_eq!(
        ignored.notice().as_deref(),
        Some("Watchword opens at most 32 links or files at once and left out 8 more.")
    );
    let (inputs, ignored) = inputs_of(&["--what".to_owned()], Path::new("/"));
    assert_eq!(
        (inputs.len(), &ignored),
        (
            0,
            &Ignored {
                unknown: 1,
                beyond: 0
            }
        )
    );
    assert_eq!(
        ignored.notice().as_deref(),
        Some("Watchword ignored an option it does not know.")
    );
}

#[test]
fn options_past_the_limit_are_still_counted_as_options() {
    let mut args: Vec<String> = (0..33).map(|i| format!("otpauth://x{i}")).collect();
    args.extend([
        "--what".to_owned(),
        "--quick".to_owned(),
        "--who".to_owned(),
    ]);
    let (inputs, ignored) = inputs_of(&args, Path::new("/"));
    assert_eq!(inputs.len(), MOST_AT_ONCE);
    assert_eq!(
        ignored,
        Ignored {
            unknown: 2,
            beyond: 1
        }
    );
    assert_eq!(
        ignored.notice().as_deref(),
        Some(
            "Watchword ignored 2 options it does not know. Watchword opens at most 32 \
             links or files at once and left out 1 more."
        )
    );
    assert_eq!(Ignored::default().notice(), None);
}

/// A start at login (`--tray`) or for the palette names nothing to open:
/// with the lock on, it once said "locked: open the link again" for a link
/// nobody gave.
#[test]
fn options_alone_name_nothing_to_open() {
    let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    assert!(options_only(&args(&[])));
    assert!(options_only(&args(&["--tray"])));
    assert!(options_only(&args(&["--quick", "--what"])));
    assert!(!options_only(&args(&[
        "--tray",
        "otpauth://totp/x?secret=JBSWY3DP"
    ])));
    assert!(!options_only(&args(&["backup.json"])));
    // Whatever options_only lets through, classify takes for options too.
    for arg in ["--tray", "--quick", "--what", "-"] {
        assert!(matches!(
            classify(arg, Path::new("/")),
            Opened::Quick | Opened::Tray | Opened::UnknownOption
        ));
    }
}

/// A second launch's link, handed over while this one was still starting,
/// waits for the page with the launch's own, behind it; so do notices.
/// Once the page listens, nothing more waits.
#[test]
fn what_arrives_before_the_page_listens_waits_for_it_in_order() {
    let args = |arg: &str| Args::new(vec![arg.to_owned()]);
    let cwd = PathBuf::from("/");
    let mut page = ForPage::default();
    assert!(page.keep(Waiting::Open(args("own"), cwd.clone())).is_none());
    assert!(page.keep(Waiting::Notice("said".to_owned())).is_none());
    assert!(page
        .keep(Waiting::Open(args("handed over"), cwd.clone()))
        .is_none());
    let order: Vec<String> = page
        .listen()
        .into_iter()
        .map(|what| match what {
            Waiting::Open(args, _) => args.join(" "),
            Waiting::Notice(said) => format!("notice: {said}"),
        })
        .collect();
    assert_eq!(order, ["own", "notice: said", "handed over"]);
    // Listening: given back at once, to go to the page now.
    assert!(matches!(
        page.keep(Waiting::Open(args("later"), cwd.clone())),
        Some(Waiting::Open(..))
    ));
    assert!(page.listen().is_empty());
    // The page loaded again after its web process ended: kept again until
    // it asks; given up on, nothing is kept (a link holds a key).
    page.page_ended(false);
    assert!(page.keep(Waiting::Notice("meanwhile".to_owned())).is_none());
    assert_eq!(page.listen().len(), 1);
    page.page_ended(true);
    assert!(page
        .keep(Waiting::Open(args("nobody"), cwd.clone()))
        .is_none());
    assert!(page.listen().is_empty());
    // Launches in a loop before the page listens are bounded.
    let mut page = ForPage::default();
    for _ in 0..KEPT_AT_MOST + 5 {
        let _ = page.keep(Waiting::Notice("again".to_owned()));
    }
    assert_eq!(page.listen().len(), KEPT_AT_MOST);
}

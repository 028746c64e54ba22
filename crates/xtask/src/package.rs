//! `xtask package BIN_DIR [deb] [rpm]`: the .deb and .rpm, made by the
//! Tauri bundler (the library `cargo tauri bundle` runs, pinned in
//! Cargo.toml) from the binaries already built in BIN_DIR
//! (`target/release`, or `target/debug` for CI's smoke).
//!
//! A package holds both programs, a man page for each (and for each CLI
//! subcommand), the CLI's completions for bash, zsh and fish, the desktop
//! entry (`packaging/watchword.desktop`: otpauth links, images and
//! backup files), the AppStream metainfo, the icon in the hicolor sizes
//! and the licence. The .deb's dependencies are what `dpkg-shlibdeps`
//! finds the binaries linked against, so `apt install ./watchword_*.deb`
//! pulls them in on a fresh Debian or Ubuntu.

use flate2::{write::GzEncoder, Compression};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use tauri_bundler::bundle::{
    AppCategory, BundleBinary, BundleSettings, DebianSettings, PackageSettings, PackageType,
    RpmSettings, SettingsBuilder,
};

/// The package's name, as apt and rpm know it (and its desktop entry's).
pub const NAME: &str = "watchword";
const IDENTIFIER: &str = "org.watchword.desktop";
const SUMMARY: &str = "Two-step verification codes on your desktop";
const DESCRIPTION: &str = "Watchword shows the codes of your two-step verification \
accounts (TOTP, HOTP, Steam) from the system keychain, offline, and copies one with a \
click. It adds accounts from QR codes and from 13 other authenticators' exports, writes \
Aegis-format backups, and comes with watchword-cli for the terminal.";
/// The icon's sizes in the hicolor theme, made from icons/icon.png (512).
const ICON_SIZES: [u32; 7] = [16, 24, 32, 48, 64, 128, 256];

/// Something the packaging could not do, said in a sentence.
pub type Failure = String;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the packages asked for; returns their paths.
pub fn package(bin_dir: &Path, kinds: &[PackageType]) -> Result<Vec<PathBuf>, Failure> {
    let root = root()
        .canonicalize()
        .map_err(|e| format!("the workspace: {e}"))?;
    let bin_dir = bin_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", bin_dir.display()))?;
    for program in ["watchword", "watchword-cli"] {
        if !bin_dir.join(program).is_file() {
            return Err(format!(
                "{} is not built: cargo build -p watchword -p watchword-cli first",
                bin_dir.join(program).display()
            ));
        }
    }
    // What goes in beside the binaries is made here, afresh each time.
    let staged = bin_dir.join("package-files");
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(|e| format!("{}: {e}", staged.display()))?;
    }
    let files = stage(&root, &staged).map_err(|e| format!("{}: {e}", staged.display()))?;

    let desktop = root.join("packaging/watchword.desktop");
    let mut icons = vec![root.join("icons/icon.png")];
    icons.extend(
        ICON_SIZES
            .iter()
            .map(|s| staged.join(format!("icons/{s}x{s}.png"))),
    );
    let bundle = BundleSettings {
        identifier: Some(IDENTIFIER.into()),
        publisher: Some("The Watchword developers".into()),
        icon: Some(icons.iter().map(|p| p.display().to_string()).collect()),
        license: Some("GPL-3.0-or-later".into()),
        category: Some(AppCategory::Utility),
        short_description: Some(SUMMARY.into()),
        long_description: Some(DESCRIPTION.into()),
        deb: DebianSettings {
            depends: Some(deb_depends(&bin_dir)?),
            // The keychain: a Secret Service (GNOME's keyring, KDE's
            // wallet and KeePassXC each provide one).
            recommends: Some(vec!["gnome-keyring | kwalletmanager | keepassxc".into()]),
            files: files.deb,
            desktop_template: Some(desktop.clone()),
            section: Some("utils".into()),
            ..DebianSettings::default()
        },
        rpm: RpmSettings {
            // Fedora's names for what dpkg-shlibdeps finds (the rest comes
            // with these); not tried on a Fedora machine here.
            depends: Some(vec!["webkit2gtk4.1".into(), "gtk3".into()]),
            recommends: Some(vec!["gnome-keyring".into()]),
            files: files.rpm,
            desktop_template: Some(desktop),
            release: "1".into(),
            ..RpmSettings::default()
        },
        ..BundleSettings::default()
    };
    let settings = SettingsBuilder::new()
        .project_out_directory(&bin_dir)
        .package_types(kinds.to_vec())
        .package_settings(PackageSettings {
            product_name: NAME.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: SUMMARY.into(),
            homepage: Some(env!("CARGO_PKG_REPOSITORY").into()),
            authors: Some(vec!["The Watchword developers".into()]),
            default_run: Some("watchword".into()),
        })
        .bundle_settings(bundle)
        .binaries(vec![
            BundleBinary::new("watchword".into(), true),
            BundleBinary::new("watchword-cli".into(), false),
        ])
        .target(host_triple()?)
        .build()
        .map_err(|e| format!("the bundler's settings: {e}"))?;
    let bundles =
        tauri_bundler::bundle_project(&settings).map_err(|e| format!("the bundler: {e:#}"))?;
    Ok(bundles.into_iter().flat_map(|b| b.bundle_paths).collect())
}

/// Where each staged file goes, in the .deb and in the .rpm (their
/// licence files differ in place and form).
struct Files {
    deb: HashMap<PathBuf, PathBuf>,
    rpm: HashMap<PathBuf, PathBuf>,
}

/// Writes the man pages (gzipped), completions, metainfo, icon sizes and
/// licence files under `staged`.
fn stage(root: &Path, staged: &Path) -> std::io::Result<Files> {
    let mut shared = HashMap::new();
    let docs = staged.join("docs");
    for file in crate::write_docs(&docs)? {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let (source, place) = if name.ends_with(".1") {
            // Debian policy: man pages compressed with gzip -9n.
            let gz = file.with_extension("1.gz");
            let mut out = GzEncoder::new(std::fs::File::create(&gz)?, Compression::best());
            out.write_all(&std::fs::read(&file)?)?;
            out.finish()?;
            (gz, format!("/usr/share/man/man1/{name}.gz"))
        } else if name.ends_with(".bash") {
            (
                file,
                "/usr/share/bash-completion/completions/watchword-cli".into(),
            )
        } else if name.starts_with('_') {
            (file, format!("/usr/share/zsh/vendor-completions/{name}"))
        } else if name.ends_with(".fish") {
            (file, format!("/usr/share/fish/vendor_completions.d/{name}"))
        } else {
            continue;
        };
        shared.insert(PathBuf::from(place), source);
    }
    let icons = staged.join("icons");
    std::fs::create_dir_all(&icons)?;
    let full = image::open(root.join("icons/icon.png")).map_err(std::io::Error::other)?;
    for size in ICON_SIZES {
        let path = icons.join(format!("{size}x{size}.png"));
        full.resize_exact(size, size, image::imageops::FilterType::Lanczos3)
            .save(&path)
            .map_err(std::io::Error::other)?;
    }
    shared.insert(
        "/usr/share/icons/hicolor/scalable/apps/watchword.svg".into(),
        root.join("icons/icon.svg"),
    );
    shared.insert(
        format!("/usr/share/metainfo/{IDENTIFIER}.metainfo.xml").into(),
        root.join(format!("packaging/{IDENTIFIER}.metainfo.xml")),
    );
    let mut deb = shared.clone();
    let mut rpm = shared;
    // Debian: a machine-readable copyright file naming the system's copy
    // of the GPL; RPM distributions: the licence text itself.
    let copyright = staged.join("copyright");
    std::fs::write(&copyright, DEB_COPYRIGHT)?;
    deb.insert(format!("/usr/share/doc/{NAME}/copyright").into(), copyright);
    rpm.insert(
        format!("/usr/share/licenses/{NAME}/LICENSE").into(),
        root.join("LICENSE"),
    );
    Ok(Files { deb, rpm })
}

const DEB_COPYRIGHT: &str = "\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Watchword

Files: *
Copyright: The Watchword developers
License: GPL-3+
 This program is free software: you can redistribute it and/or modify it
 under the terms of the GNU General Public License as published by the Free
 Software Foundation, either version 3 of the License, or (at your option)
 any later version.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 3 can be found in /usr/share/common-licenses/GPL-3.
";

/// The packages the binaries need, as `dpkg-shlibdeps` finds them (it
/// wants a debian/control to read, so it runs in a scratch folder).
fn deb_depends(bin_dir: &Path) -> Result<Vec<String>, Failure> {
    let scratch = bin_dir.join("package-shlibdeps");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("debian"))
        .and_then(|()| {
            std::fs::write(
                scratch.join("debian/control"),
                "Source: watchword\n\nPackage: watchword\nArchitecture: any\n",
            )
        })
        .map_err(|e| format!("{}: {e}", scratch.display()))?;
    let output = Command::new("dpkg-shlibdeps")
        .current_dir(&scratch)
        .arg("-O")
        .arg(bin_dir.join("watchword"))
        .arg(bin_dir.join("watchword-cli"))
        .output()
        .map_err(|e| format!("dpkg-shlibdeps (from dpkg-dev): {e}"))?;
    let _ = std::fs::remove_dir_all(&scratch);
    if !output.status.success() {
        return Err(format!(
            "dpkg-shlibdeps failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let said = String::from_utf8_lossy(&output.stdout);
    let depends = said
        .lines()
        .find_map(|line| line.strip_prefix("shlibs:Depends="))
        .ok_or_else(|| format!("dpkg-shlibdeps said no dependencies: {said}"))?;
    Ok(depends.split(", ").map(str::to_owned).collect())
}

/// The triple this machine builds for (`rustc -vV`).
fn host_triple() -> Result<String, Failure> {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("rustc: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV names no host".into())
}
